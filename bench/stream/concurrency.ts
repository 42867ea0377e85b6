import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CompletionScript, ScriptedUpstream } from '../../test/upstream/index.js';
import type { Backend } from '../backends.js';
import { CpuWindow } from '../process-cpu.js';
import type { StreamTiming } from './sse-client.js';
import { formatMs, mark, pad, percentile } from './stats.js';
import {
  type BackendTarget,
  ceilingStream,
  inBatches,
  oursStream,
  requestJson,
  type StreamContext,
} from './targets.js';

export const CONCURRENCY_GOALS = Object.freeze({
  /** Our server's peak resident memory (VmHWM) over the whole run, in bytes. */
  maximumPeakRssBytes: 1024 ** 3,
});

export interface ConcurrencyOptions {
  streams: number;
  script: CompletionScript;
  expectedDeltas: number;
}

interface VariantOutcome {
  wallMs: number;
  timings: StreamTiming[];
  errors: string[];
}

/** One backend's burst. */
export interface BackendBurst extends VariantOutcome {
  backend: Backend;
  /** Model calls the upstream received for these runs (more than one per run means retries). */
  upstreamCalls: number;
  /** The kernel's machine-wide count of connections dropped because a listen backlog was full, during the burst. */
  listenOverflows: number | undefined;
  rssBeforeBytes: number;
  peakRssBytes: number;
  /** CPU seconds during the burst: our server, and the PostgreSQL backends of its database (undefined on SQLite). */
  serverCpuSeconds: number;
  databaseCpuSeconds: number | undefined;
}

export interface ConcurrencyResult {
  options: ConcurrencyOptions;
  ceiling: VariantOutcome;
  bursts: BackendBurst[];
}

/**
 * Starts `streams` streamed runs at once, each on its own thread (created first, not timed), and checks
 * every one ends completed; the ceiling is the same number of streams read at once straight from the
 * upstream, measured once before our servers, which then take their turns one backend at a time (the other
 * server idles). Wall time runs from starting the first request to the end of the last stream.
 */
export async function measureConcurrency(
  ceilingContext: StreamContext,
  targets: readonly BackendTarget[],
  upstream: ScriptedUpstream,
  options: ConcurrencyOptions,
): Promise<ConcurrencyResult> {
  upstream.respond(options.script);
  const ceilingStarted = performance.now();
  const ceilingTimings = await Promise.all(
    Array.from({ length: options.streams }, () => ceilingStream(ceilingContext)),
  );
  const ceiling: VariantOutcome = { wallMs: performance.now() - ceilingStarted, timings: ceilingTimings, errors: [] };
  for (const timing of ceilingTimings) {
    if (timing.error !== undefined) ceiling.errors.push(timing.error);
    else if (timing.deltas !== options.expectedDeltas)
      ceiling.errors.push(`${timing.deltas} deltas, expected ${options.expectedDeltas}`);
  }
  console.error(`  ceiling: ${options.streams} streams in ${Math.round(ceiling.wallMs)} ms`);
  const bursts: BackendBurst[] = [];
  for (const target of targets) bursts.push(await burst(target, upstream, options));
  return { options, ceiling, bursts };
}

async function burst(target: BackendTarget, upstream: ScriptedUpstream, options: ConcurrencyOptions) {
  const { context, server } = target;
  const assistant = await requestJson<{ id: string }>(context, 'POST', '/v1/assistants', {
    model: 'gpt-4o-mini',
    instructions: 'You are terse.',
  });
  const threadIds = await inBatches(
    Array.from({ length: options.streams }, (_, index) => index),
    20,
    async (index) => {
      const thread = await requestJson<{ id: string }>(context, 'POST', '/v1/threads', {
        messages: [{ role: 'user', content: `Hello ${index}` }],
      });
      return thread.id;
    },
  );
  console.error(`  ${target.backend}: created ${threadIds.length} threads`);

  const callsBefore = modelCalls(upstream);
  const rssBeforeBytes = server.rssBytes();
  const overflowsBefore = listenOverflowCount();
  const window = new CpuWindow(
    new Map([['server', target.serverCpu], ...(target.databaseCpu ? [['database', target.databaseCpu] as const] : [])]),
    500,
  );
  const started = performance.now();
  const runs = await Promise.all(threadIds.map((threadId) => oursStream(context, threadId, assistant.id)));
  const wallMs = performance.now() - started;
  const cpu = window.stop();
  const outcome: BackendBurst = {
    backend: target.backend,
    wallMs,
    timings: runs.map((run) => run.timing),
    errors: [],
    upstreamCalls: modelCalls(upstream) - callsBefore,
    listenOverflows: undefined,
    rssBeforeBytes,
    peakRssBytes: server.peakRssBytes(),
    serverCpuSeconds: cpu.get('server')!,
    databaseCpuSeconds: cpu.get('database'),
  };
  const overflowsAfter = listenOverflowCount();
  if (overflowsBefore !== undefined && overflowsAfter !== undefined)
    outcome.listenOverflows = overflowsAfter - overflowsBefore;
  console.error(`  ${target.backend}: ${options.streams} streamed runs in ${Math.round(wallMs)} ms`);

  for (const run of runs) {
    if (!run.completed)
      outcome.errors.push(
        run.timing.error ?? `run ${run.runId}: stream ended with ${run.timing.eventNames.slice(-2).join(', ')}`,
      );
    else if (run.timing.deltas !== options.expectedDeltas)
      outcome.errors.push(`run ${run.runId}: ${run.timing.deltas} deltas, expected ${options.expectedDeltas}`);
  }
  // The stored status too: a stream can look fine while the run record says otherwise.
  const withIds = runs.flatMap((run, index) =>
    run.runId === undefined ? [] : [{ runId: run.runId, threadId: threadIds[index]! }],
  );
  const stored = await inBatches(withIds, 50, async (entry) => ({
    ...entry,
    status: await runStatus(context, entry.threadId, entry.runId),
  }));
  for (const { runId, status } of stored)
    if (status !== 'completed') outcome.errors.push(`run ${runId}: stored status ${status}`);
  const missingIds = runs.length - stored.length;
  if (missingIds > 0) outcome.errors.push(`${missingIds} streams had no thread.run.created event`);
  return outcome;
}

async function runStatus(context: StreamContext, threadId: string, runId: string): Promise<string> {
  try {
    return (await requestJson<{ status: string }>(context, 'GET', `/v1/threads/${threadId}/runs/${runId}`)).status;
  } catch (error) {
    return String(error);
  }
}

/** `TcpExt: ListenOverflows` from /proc/net/netstat (Linux only): SYNs or ACKs dropped at a full accept queue. */
function listenOverflowCount(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('TcpExt:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    const index = names.indexOf('ListenOverflows');
    return index === -1 ? undefined : Number(values[index]);
  } catch {
    return undefined;
  }
}

function modelCalls(upstream: ScriptedUpstream): number {
  return upstream.requests.filter((request) => request.path === '/v1/chat/completions').length;
}

export function formatConcurrency(result: ConcurrencyResult): { text: string; clean: boolean } {
  const { ceiling, bursts, options } = result;
  const ttft = (outcome: VariantOutcome, fraction: number) =>
    percentile(
      outcome.timings.filter((timing) => timing.firstDeltaMs !== undefined).map((timing) => timing.firstDeltaMs!),
      fraction,
    );
  const clean = ceiling.errors.length === 0 && bursts.every((entry) => entry.errors.length === 0);
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  const share = (seconds: number | undefined, wallMs: number) =>
    seconds === undefined ? '-' : `${Math.round((100 * seconds) / (wallMs / 1000))}%`;
  const row = (name: string, outcome: VariantOutcome, cpu: string, databaseCpu: string) =>
    `  ${pad(name, 15)}${pad(String(Math.round(outcome.wallMs)), 10)}${pad(formatMs(ttft(outcome, 0.5)), 14)}` +
    `${pad(formatMs(ttft(outcome, 0.95)), 14)}${pad(String(outcome.errors.length), 8)}${pad(cpu, 12)}${databaseCpu}`;
  const lines = [
    `${options.streams} concurrent streams, ${options.expectedDeltas} chunks each, ${options.script.chunkDelayMs ?? 0} ms between chunks`,
    `  ${pad('variant', 15)}${pad('wall ms', 10)}${pad('TTFT p50 ms', 14)}${pad('TTFT p95 ms', 14)}${pad('errors', 8)}${pad('server CPU', 12)}db CPU`,
    row('ceiling', ceiling, '-', '-'),
    ...bursts.map((entry) =>
      row(
        `ours ${entry.backend}`,
        entry,
        share(entry.serverCpuSeconds, entry.wallMs),
        share(entry.databaseCpuSeconds, entry.wallMs),
      ),
    ),
  ];
  for (const entry of bursts) {
    const name = (label: string) => pad(`${label}, ${entry.backend}`, 50);
    lines.push(
      `  ${name('errors')}${pad(String(entry.errors.length), 14)}goal 0          ${mark(entry.errors.length === 0)}`,
      `  ${name('server peak RSS (VmHWM)')}${pad(mib(entry.peakRssBytes), 14)}goal < 1 GiB    ${mark(entry.peakRssBytes < CONCURRENCY_GOALS.maximumPeakRssBytes)}`,
      `  ${name('server RSS before the burst')}${mib(entry.rssBeforeBytes)}`,
      `  ${name('wall time ours/ceiling (reference)')}${(entry.wallMs / ceiling.wallMs).toFixed(2)}`,
      `  ${name('CPU ms per run')}server ${((1000 * entry.serverCpuSeconds) / options.streams).toFixed(1)}` +
        (entry.databaseCpuSeconds === undefined
          ? ''
          : ` + database ${((1000 * entry.databaseCpuSeconds) / options.streams).toFixed(1)}`),
      `  ${name('upstream calls')}${pad(String(entry.upstreamCalls), 14)}${entry.upstreamCalls === options.streams ? '(one per run: no retries)' : `(${options.streams} runs: retries or missing calls)`}`,
      `  ${name('listen queue overflows (machine-wide)')}${entry.listenOverflows ?? 'n/a'}`,
      ...[...new Set(entry.errors)].slice(0, 5).map((error) => `    ${error}`),
    );
  }
  lines.push(
    `  ${pad('errors (ceiling)', 50)}${pad(String(ceiling.errors.length), 14)}must be 0       ${ceiling.errors.length === 0 ? 'PASS' : 'FAIL'}`,
    ...[...new Set(ceiling.errors)].slice(0, 5).map((error) => `    ${error}`),
  );
  return { text: lines.join('\n'), clean };
}

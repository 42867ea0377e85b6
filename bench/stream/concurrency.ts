import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CompletionScript } from '../../test/upstream/index.js';
import type { Backend } from '../backends.js';
import { CpuWindow, ProcessCpu } from '../process-cpu.js';
import type { StreamTiming } from './sse-client.js';
import { formatMs, mark, pad, percentile } from './stats.js';
import {
  type BackendTarget,
  ceilingStream,
  createAssistants,
  inBatches,
  oursStream,
  requestJson,
  type StreamContext,
  upstreamRequestOf,
} from './targets.js';
import type { UpstreamProcess } from './upstream-control.js';

export const CONCURRENCY_GOALS = Object.freeze({
  /** Our server's peak resident memory (VmHWM) over the whole run, in bytes. */
  maximumPeakRssBytes: 1024 ** 3,
  /** Our burst's wall time at most this multiple of the upstream's own (the same streams read straight from it). */
  maximumWallRatio: 2,
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
  /** CPU seconds during the burst of the upstream's process and of the SSE client (this process). */
  upstreamCpuSeconds: number;
  clientCpuSeconds: number;
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
  upstream: UpstreamProcess,
  options: ConcurrencyOptions,
): Promise<ConcurrencyResult> {
  await upstream.respond(options.script);
  // Equal work: the ceiling sends what our server sends for one of its runs (instructions and one short message).
  const assistants = await createAssistants(targets);
  const body = await upstreamRequestOf(targets[0]!, upstream, assistants.get(targets[0]!.backend)!, 'Hello 0');
  const sides = sideMeters(upstream);
  const ceilingStarted = performance.now();
  const ceilingTimings = await Promise.all(
    Array.from({ length: options.streams }, () => ceilingStream(ceilingContext, body)),
  );
  const ceilingWallMs = performance.now() - ceilingStarted;
  const ceilingCpu = sides.stop();
  const ceiling: VariantOutcome = {
    wallMs: ceilingWallMs,
    timings: ceilingTimings,
    errors: [],
    upstreamCpuSeconds: ceilingCpu.get('upstream')!,
    clientCpuSeconds: ceilingCpu.get('client')!,
  };
  for (const timing of ceilingTimings) {
    if (timing.error !== undefined) ceiling.errors.push(timing.error);
    else if (timing.deltas !== options.expectedDeltas)
      ceiling.errors.push(`${timing.deltas} deltas, expected ${options.expectedDeltas}`);
  }
  console.error(`  ceiling: ${options.streams} streams in ${Math.round(ceiling.wallMs)} ms`);
  const bursts: BackendBurst[] = [];
  for (const target of targets) bursts.push(await burst(target, assistants.get(target.backend)!, upstream, options));
  return { options, ceiling, bursts };
}

/** CPU meters of the two sides every variant has: the upstream's process and the SSE client (this process). */
function sideMeters(upstream: UpstreamProcess): CpuWindow<'upstream' | 'client'> {
  return new CpuWindow(
    new Map([
      ['upstream', ProcessCpu.ofPid(upstream.pid)],
      ['client', ProcessCpu.ofPid(process.pid)],
    ]),
    500,
  );
}

async function burst(
  target: BackendTarget,
  assistantId: string,
  upstream: UpstreamProcess,
  options: ConcurrencyOptions,
): Promise<BackendBurst> {
  const { context, server } = target;
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

  const callsBefore = await upstream.modelCalls();
  const rssBeforeBytes = server.rssBytes();
  const overflowsBefore = listenOverflowCount();
  const window = new CpuWindow(
    new Map([['server', target.serverCpu], ...(target.databaseCpu ? [['database', target.databaseCpu] as const] : [])]),
    500,
  );
  const sides = sideMeters(upstream);
  const started = performance.now();
  const runs = await Promise.all(threadIds.map((threadId) => oursStream(context, threadId, assistantId)));
  const wallMs = performance.now() - started;
  const cpu = window.stop();
  const sideCpu = sides.stop();
  const outcome: BackendBurst = {
    backend: target.backend,
    wallMs,
    timings: runs.map((run) => run.timing),
    errors: [],
    upstreamCalls: (await upstream.modelCalls()) - callsBefore,
    listenOverflows: undefined,
    rssBeforeBytes,
    peakRssBytes: server.peakRssBytes(),
    serverCpuSeconds: cpu.get('server')!,
    databaseCpuSeconds: cpu.get('database'),
    upstreamCpuSeconds: sideCpu.get('upstream')!,
    clientCpuSeconds: sideCpu.get('client')!,
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
    `${pad(formatMs(ttft(outcome, 0.95)), 14)}${pad(String(outcome.errors.length), 8)}${pad(cpu, 12)}${pad(databaseCpu, 9)}` +
    `${pad(share(outcome.upstreamCpuSeconds, outcome.wallMs), 14)}${share(outcome.clientCpuSeconds, outcome.wallMs)}`;
  const lines = [
    `${options.streams} concurrent streams, ${options.expectedDeltas} chunks each, ${options.script.chunkDelayMs ?? 0} ms between chunks`,
    `  ${pad('variant', 15)}${pad('wall ms', 10)}${pad('TTFT p50 ms', 14)}${pad('TTFT p95 ms', 14)}${pad('errors', 8)}` +
      `${pad('server CPU', 12)}${pad('db CPU', 9)}${pad('upstream CPU', 14)}client CPU`,
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
      `  ${name('wall time ours/ceiling')}${pad((entry.wallMs / ceiling.wallMs).toFixed(2), 14)}goal <= ${CONCURRENCY_GOALS.maximumWallRatio}       ${mark(entry.wallMs / ceiling.wallMs <= CONCURRENCY_GOALS.maximumWallRatio)}`,
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

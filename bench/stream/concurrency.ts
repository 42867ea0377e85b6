import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { TestServer } from '../../test/helpers/test-server.js';
import type { CompletionScript, ScriptedUpstream } from '../../test/upstream/index.js';
import type { StreamTiming } from './sse-client.js';
import { formatMs, mark, pad, percentile } from './stats.js';
import { ceilingStream, inBatches, oursStream, requestJson, type StreamContext } from './targets.js';

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

export interface ConcurrencyResult {
  options: ConcurrencyOptions;
  ceiling: VariantOutcome;
  ours: VariantOutcome;
  /** Model calls the upstream received for our runs (more than one per run means retries). */
  upstreamCalls: number;
  /** The kernel's machine-wide count of connections dropped because a listen backlog was full, during our burst. */
  listenOverflows: number | undefined;
  rssBeforeBytes: number;
  peakRssBytes: number;
}

/**
 * Starts `streams` streamed runs at once, each on its own thread (created first, not timed), and
 * checks every one ends completed; the ceiling is the same number of streams read at once straight
 * from the upstream. Wall time runs from starting the first request to the end of the last stream.
 */
export async function measureConcurrency(
  context: StreamContext,
  upstream: ScriptedUpstream,
  server: TestServer,
  options: ConcurrencyOptions,
): Promise<ConcurrencyResult> {
  upstream.respond(options.script);
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
  console.error(`  created ${threadIds.length} threads`);

  const ceilingStarted = performance.now();
  const ceilingTimings = await Promise.all(threadIds.map(() => ceilingStream(context)));
  const ceiling: VariantOutcome = { wallMs: performance.now() - ceilingStarted, timings: ceilingTimings, errors: [] };
  for (const timing of ceilingTimings) {
    if (timing.error !== undefined) ceiling.errors.push(timing.error);
    else if (timing.deltas !== options.expectedDeltas)
      ceiling.errors.push(`${timing.deltas} deltas, expected ${options.expectedDeltas}`);
  }
  console.error(`  ceiling: ${options.streams} streams in ${Math.round(ceiling.wallMs)} ms`);

  const callsBefore = modelCalls(upstream);
  const rssBeforeBytes = server.rssBytes();
  const overflowsBefore = listenOverflowCount();
  const oursStarted = performance.now();
  const runs = await Promise.all(threadIds.map((threadId) => oursStream(context, threadId, assistant.id)));
  const ours: VariantOutcome = {
    wallMs: performance.now() - oursStarted,
    timings: runs.map((run) => run.timing),
    errors: [],
  };
  const peakRssBytes = server.peakRssBytes();
  const upstreamCalls = modelCalls(upstream) - callsBefore;
  const overflowsAfter = listenOverflowCount();
  const listenOverflows =
    overflowsBefore === undefined || overflowsAfter === undefined ? undefined : overflowsAfter - overflowsBefore;
  console.error(`  ours: ${options.streams} streamed runs in ${Math.round(ours.wallMs)} ms`);

  for (const run of runs) {
    if (!run.completed)
      ours.errors.push(
        run.timing.error ?? `run ${run.runId}: stream ended with ${run.timing.eventNames.slice(-2).join(', ')}`,
      );
    else if (run.timing.deltas !== options.expectedDeltas)
      ours.errors.push(`run ${run.runId}: ${run.timing.deltas} deltas, expected ${options.expectedDeltas}`);
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
    if (status !== 'completed') ours.errors.push(`run ${runId}: stored status ${status}`);
  const missingIds = runs.length - stored.length;
  if (missingIds > 0) ours.errors.push(`${missingIds} streams had no thread.run.created event`);
  return { options, ceiling, ours, upstreamCalls, listenOverflows, rssBeforeBytes, peakRssBytes };
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
  const { ceiling, ours, options } = result;
  const ttft = (outcome: VariantOutcome, fraction: number) =>
    percentile(
      outcome.timings.filter((timing) => timing.firstDeltaMs !== undefined).map((timing) => timing.firstDeltaMs!),
      fraction,
    );
  const clean = ours.errors.length === 0 && ceiling.errors.length === 0;
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  const row = (name: string, outcome: VariantOutcome) =>
    `  ${pad(name, 9)}${pad(String(Math.round(outcome.wallMs)), 14)}${pad(formatMs(ttft(outcome, 0.5)), 14)}${pad(formatMs(ttft(outcome, 0.95)), 14)}${outcome.errors.length}`;
  const lines = [
    `${options.streams} concurrent streams, ${options.expectedDeltas} chunks each, ${options.script.chunkDelayMs ?? 0} ms between chunks`,
    `  ${pad('variant', 9)}${pad('wall ms', 14)}${pad('TTFT p50 ms', 14)}${pad('TTFT p95 ms', 14)}errors`,
    row('ceiling', ceiling),
    row('ours', ours),
    `  ${pad('errors (ours)', 38)}${pad(String(ours.errors.length), 14)}goal 0          ${mark(ours.errors.length === 0)}`,
    `  ${pad('server peak RSS (VmHWM)', 38)}${pad(mib(result.peakRssBytes), 14)}goal < 1 GiB    ${mark(result.peakRssBytes < CONCURRENCY_GOALS.maximumPeakRssBytes)}`,
    `  ${pad('server RSS before the burst', 38)}${mib(result.rssBeforeBytes)}`,
    `  ${pad('wall time ours/ceiling (reference)', 38)}${(ours.wallMs / ceiling.wallMs).toFixed(2)}`,
    `  ${pad('upstream calls for our runs', 38)}${pad(String(result.upstreamCalls), 14)}${result.upstreamCalls === options.streams ? '(one per run: no retries)' : `(${options.streams} runs: retries or missing calls)`}`,
    `  ${pad('listen queue overflows (machine-wide)', 38)}${result.listenOverflows ?? 'n/a'}`,
    `  ${pad('errors (ceiling)', 38)}${pad(String(ceiling.errors.length), 14)}must be 0       ${ceiling.errors.length === 0 ? 'PASS' : 'FAIL'}`,
    ...[...new Set([...ours.errors, ...ceiling.errors])].slice(0, 5).map((error) => `    ${error}`),
  ];
  return { text: lines.join('\n'), clean };
}

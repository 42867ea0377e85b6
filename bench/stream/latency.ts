import type { CompletionScript } from '../../test/upstream/index.js';
import type { Backend } from '../backends.js';
import type { StreamTiming } from './sse-client.js';
import { deltaRate, formatMs, formatRate, mark, median, pad, percentile } from './stats.js';
import {
  type BackendTarget,
  ceilingStream,
  createAssistants,
  freshThread,
  oursStream,
  type StreamContext,
  upstreamRequestOf,
} from './targets.js';
import type { UpstreamProcess } from './upstream-control.js';

export const LATENCY_GOALS = Object.freeze({
  /** Ours may add at most this much to the ceiling's median time to first token, in ms (on a fresh thread). */
  maximumAddedTtftP50Ms: 2,
  /** With no delay upstream: our median total stream time at most this multiple of the upstream's own. */
  maximumTotalTimeRatio: 2,
  /** With a delay upstream: ours must deliver at least this fraction of the ceiling's tokens per second. */
  minimumRateRatio: 0.95,
});

/** The user message every measured run's fresh thread holds. */
const PROMPT = 'Hello there';

/** One scripted completion, streamed N times through each variant; `goal` says which figure it is judged by. */
export interface LatencyScenario {
  name: string;
  script: CompletionScript;
  /** `total-time`: the pipeline-bound case (no delay); `token-rate`: the upstream-bound case (a delay). */
  goal: 'total-time' | 'token-rate';
}

/** The upstream streamed directly, or a streamed run of our server on one backend. */
export type StreamVariant = 'ceiling' | Backend;

/** CPU seconds our server (and its PostgreSQL backends) used during the measured streams of one backend. */
export interface StreamCpu {
  streams: number;
  serverSeconds: number;
  databaseSeconds: number | undefined;
}

export interface LatencyResult {
  scenario: LatencyScenario;
  variants: StreamVariant[];
  timings: Partial<Record<StreamVariant, StreamTiming[]>>;
  cpu: Partial<Record<Backend, StreamCpu>>;
  /** What went wrong in any stream (void numbers): transport errors, runs that did not complete, short streams. */
  errors: string[];
}

export interface LatencyOptions {
  repeats: number;
  warmup: number;
  /** Deltas each stream must carry (the scripted chunk count). */
  expectedDeltas: number;
}

/**
 * Streams the scenario's completion straight from the upstream (ceiling) and as a streamed run of our server on
 * each backend, taking turns (the order reversed every repeat). Equal work: every run of ours starts on a fresh
 * thread holding one user message (created untimed just before), and the ceiling sends the very request our
 * server sends the upstream for such a thread (instructions and that message). All are timed from just before the
 * request is sent, so ours includes creating the run, the queue and the worker. The CPU time of our server (and
 * of its database) is read around each of its streams, outside the timed part.
 */
export async function measureLatency(
  ceiling: StreamContext,
  targets: readonly BackendTarget[],
  upstream: UpstreamProcess,
  scenario: LatencyScenario,
  options: LatencyOptions,
): Promise<LatencyResult> {
  await upstream.respond(scenario.script);
  const assistants = await createAssistants(targets);
  const ceilingBody = await upstreamRequestOf(targets[0]!, upstream, assistants.get(targets[0]!.backend)!, PROMPT);
  const variants: StreamVariant[] = ['ceiling', ...targets.map((target) => target.backend)];
  const result: LatencyResult = {
    scenario,
    variants,
    timings: Object.fromEntries(variants.map((variant) => [variant, []])),
    cpu: Object.fromEntries(
      targets.map((target) => [
        target.backend,
        { streams: 0, serverSeconds: 0, databaseSeconds: target.databaseCpu ? 0 : undefined },
      ]),
    ),
    errors: [],
  };
  const byBackend = new Map(targets.map((target) => [target.backend, target]));

  const once = async (variant: StreamVariant, record: boolean): Promise<void> => {
    let timing: StreamTiming;
    let problem: string | undefined;
    if (variant === 'ceiling') {
      timing = await ceilingStream(ceiling, ceilingBody);
      problem = timing.error;
    } else {
      const target = byBackend.get(variant)!;
      const threadId = await freshThread(target.context, PROMPT);
      const serverBefore = target.serverCpu.seconds();
      const databaseBefore = target.databaseCpu?.seconds();
      const run = await oursStream(target.context, threadId, assistants.get(variant)!);
      if (record) {
        const cpu = result.cpu[variant]!;
        cpu.streams += 1;
        cpu.serverSeconds += target.serverCpu.seconds() - serverBefore;
        if (cpu.databaseSeconds !== undefined) cpu.databaseSeconds += target.databaseCpu!.seconds() - databaseBefore!;
      }
      timing = run.timing;
      problem = run.completed
        ? undefined
        : (timing.error ??
          `run ${run.runId} did not end with thread.run.completed + done (last: ${timing.eventNames.slice(-2).join(', ')})`);
    }
    if (problem === undefined && timing.deltas !== options.expectedDeltas)
      problem = `${variant}: ${timing.deltas} deltas, expected ${options.expectedDeltas}`;
    if (problem !== undefined) result.errors.push(`${variant}: ${problem}`);
    if (record && problem === undefined) result.timings[variant]!.push(timing);
  };

  for (let index = 0; index < options.warmup; index++) {
    for (const variant of variants) await once(variant, false);
  }
  for (let index = 0; index < options.repeats; index++) {
    const order = index % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) await once(variant, true);
  }
  return result;
}

/** The report for one scenario: TTFT, total stream time, token rates, the goals, and whether it was error-free. */
export function formatLatency(result: LatencyResult): { text: string; clean: boolean } {
  const summary = (timings: readonly StreamTiming[]) => {
    const firsts = timings.map((timing) => timing.firstDeltaMs!);
    return {
      p50: percentile(firsts, 0.5),
      p95: percentile(firsts, 0.95),
      total: median(timings.map((timing) => timing.endMs)),
      rate: median(timings.map(deltaRate)),
      count: timings.length,
    };
  };
  const summaries = new Map(result.variants.map((variant) => [variant, summary(result.timings[variant] ?? [])]));
  const ceiling = summaries.get('ceiling')!;
  const backends = result.variants.filter((variant): variant is Backend => variant !== 'ceiling');
  const clean = result.errors.length === 0;
  const { goal } = result.scenario;
  const row = (variant: StreamVariant) => {
    const values = summaries.get(variant)!;
    return (
      `  ${pad(variantName(variant), 15)}${pad(formatMs(values.p50), 14)}${pad(formatMs(values.p95), 14)}` +
      `${pad(formatMs(values.total), 16)}${pad(formatRate(values.rate), 20)}${values.count}`
    );
  };
  const lines = [
    `${result.scenario.name}`,
    `  ${pad('variant', 15)}${pad('TTFT p50 ms', 14)}${pad('TTFT p95 ms', 14)}${pad('total ms p50', 16)}${pad('tokens/s (median)', 20)}streams`,
    ...result.variants.map(row),
  ];
  const name = (label: string) => pad(label, 42);
  for (const backend of backends) {
    const added = summaries.get(backend)!.p50 - ceiling.p50;
    lines.push(
      `  ${name(`added TTFT p50, ${backend}`)}${pad(`${formatMs(added)} ms`, 14)}goal < ${LATENCY_GOALS.maximumAddedTtftP50Ms} ms       ${mark(added < LATENCY_GOALS.maximumAddedTtftP50Ms)}`,
    );
  }
  for (const backend of backends) {
    lines.push(
      `  ${name(`added TTFT p95 (reference), ${backend}`)}${formatMs(summaries.get(backend)!.p95 - ceiling.p95)} ms`,
    );
  }
  for (const backend of backends) {
    const ratio = summaries.get(backend)!.total / ceiling.total;
    const judged = goal === 'total-time';
    lines.push(
      `  ${name(`total stream time ours/ceiling, ${backend}`)}${pad(ratio.toFixed(2), 14)}` +
        (judged
          ? `goal <= ${LATENCY_GOALS.maximumTotalTimeRatio}         ${mark(ratio <= LATENCY_GOALS.maximumTotalTimeRatio)}`
          : '(reference: the upstream sets the pace)'),
    );
  }
  for (const backend of backends) {
    const ratio = summaries.get(backend)!.rate / ceiling.rate;
    const judged = goal === 'token-rate';
    lines.push(
      `  ${name(`tokens/s ours/ceiling, ${backend}`)}${pad(ratio.toFixed(3), 14)}` +
        (judged
          ? `goal >= ${LATENCY_GOALS.minimumRateRatio}      ${mark(ratio >= LATENCY_GOALS.minimumRateRatio)}`
          : '(reference: first to last delta, what was already processed flushing)'),
    );
  }
  for (const backend of backends) {
    const cpu = result.cpu[backend];
    if (!cpu || cpu.streams === 0) continue;
    const server = (1000 * cpu.serverSeconds) / cpu.streams;
    const database = cpu.databaseSeconds === undefined ? undefined : (1000 * cpu.databaseSeconds) / cpu.streams;
    lines.push(
      `  ${name(`CPU ms per run, ${backend}`)}server ${server.toFixed(1)}` +
        (database === undefined ? '' : ` + database ${database.toFixed(1)} = ${(server + database).toFixed(1)}`),
    );
  }
  lines.push(
    `  ${name('errors (all variants)')}${pad(String(result.errors.length), 14)}must be 0         ${clean ? 'PASS' : 'FAIL'}`,
    ...result.errors.slice(0, 5).map((error) => `    ${error}`),
  );
  return { text: lines.join('\n'), clean };
}

export function variantName(variant: StreamVariant): string {
  return variant === 'ceiling' ? 'ceiling' : `ours ${variant}`;
}

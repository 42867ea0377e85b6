import type { CompletionScript, ScriptedUpstream } from '../../test/upstream/index.js';
import type { Backend } from '../backends.js';
import type { StreamTiming } from './sse-client.js';
import { deltaRate, formatMs, formatRate, mark, median, pad, percentile } from './stats.js';
import { type BackendTarget, ceilingStream, oursStream, requestJson, type StreamContext } from './targets.js';

export const LATENCY_GOALS = Object.freeze({
  /** Ours may add at most this much to the ceiling's median time to first token, in ms. */
  maximumAddedTtftP50Ms: 2,
  /** Ours must deliver at least this fraction of the ceiling's tokens per second. */
  minimumRateRatio: 0.95,
});

/** One scripted completion, streamed N times through each variant. */
export interface LatencyScenario {
  name: string;
  script: CompletionScript;
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
 * Streams the scenario's completion straight from the upstream (ceiling) and as a streamed run on one
 * thread of our server on each backend, taking turns (the order reversed every repeat), and keeps every
 * stream's timing. All are timed from just before the request is sent, so ours includes creating the run,
 * the queue and the worker. The CPU time of our server (and of its database) is read around each of its
 * streams, outside the timed part.
 */
export async function measureLatency(
  ceiling: StreamContext,
  targets: readonly BackendTarget[],
  upstream: ScriptedUpstream,
  scenario: LatencyScenario,
  options: LatencyOptions,
): Promise<LatencyResult> {
  upstream.respond(scenario.script);
  const threads = new Map<Backend, { assistantId: string; threadId: string }>();
  for (const target of targets) {
    const assistant = await requestJson<{ id: string }>(target.context, 'POST', '/v1/assistants', {
      model: 'gpt-4o-mini',
      instructions: 'You are terse.',
    });
    const thread = await requestJson<{ id: string }>(target.context, 'POST', '/v1/threads', {
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    threads.set(target.backend, { assistantId: assistant.id, threadId: thread.id });
  }
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
      timing = await ceilingStream(ceiling);
      problem = timing.error;
    } else {
      const target = byBackend.get(variant)!;
      const { assistantId, threadId } = threads.get(variant)!;
      const serverBefore = target.serverCpu.seconds();
      const databaseBefore = target.databaseCpu?.seconds();
      const run = await oursStream(target.context, threadId, assistantId);
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

/** The report for one scenario: TTFT percentiles, token rates, the goals, and whether it was error-free. */
export function formatLatency(result: LatencyResult): { text: string; clean: boolean } {
  const summary = (timings: readonly StreamTiming[]) => {
    const firsts = timings.map((timing) => timing.firstDeltaMs!);
    return {
      p50: percentile(firsts, 0.5),
      p95: percentile(firsts, 0.95),
      rate: median(timings.map(deltaRate)),
      count: timings.length,
    };
  };
  const summaries = new Map(result.variants.map((variant) => [variant, summary(result.timings[variant] ?? [])]));
  const ceiling = summaries.get('ceiling')!;
  const backends = result.variants.filter((variant): variant is Backend => variant !== 'ceiling');
  const clean = result.errors.length === 0;
  const row = (variant: StreamVariant) => {
    const values = summaries.get(variant)!;
    return `  ${pad(variantName(variant), 15)}${pad(formatMs(values.p50), 14)}${pad(formatMs(values.p95), 14)}${pad(formatRate(values.rate), 20)}${values.count}`;
  };
  const lines = [
    `${result.scenario.name}`,
    `  ${pad('variant', 15)}${pad('TTFT p50 ms', 14)}${pad('TTFT p95 ms', 14)}${pad('tokens/s (median)', 20)}streams`,
    ...result.variants.map(row),
  ];
  for (const backend of backends) {
    const added = summaries.get(backend)!.p50 - ceiling.p50;
    lines.push(
      `  ${pad(`added TTFT p50, ${backend}`, 38)}${pad(`${formatMs(added)} ms`, 14)}goal < ${LATENCY_GOALS.maximumAddedTtftP50Ms} ms     ${mark(added < LATENCY_GOALS.maximumAddedTtftP50Ms)}`,
    );
  }
  for (const backend of backends) {
    lines.push(
      `  ${pad(`added TTFT p95 (reference), ${backend}`, 38)}${formatMs(summaries.get(backend)!.p95 - ceiling.p95)} ms`,
    );
  }
  for (const backend of backends) {
    const ratio = summaries.get(backend)!.rate / ceiling.rate;
    lines.push(
      `  ${pad(`tokens/s ours/ceiling, ${backend}`, 38)}${pad(ratio.toFixed(3), 14)}goal >= ${LATENCY_GOALS.minimumRateRatio}    ${mark(ratio >= LATENCY_GOALS.minimumRateRatio)}`,
    );
  }
  for (const backend of backends) {
    const cpu = result.cpu[backend];
    if (!cpu || cpu.streams === 0) continue;
    const server = (1000 * cpu.serverSeconds) / cpu.streams;
    const database = cpu.databaseSeconds === undefined ? undefined : (1000 * cpu.databaseSeconds) / cpu.streams;
    lines.push(
      `  ${pad(`CPU ms per run, ${backend}`, 38)}server ${server.toFixed(1)}` +
        (database === undefined ? '' : ` + database ${database.toFixed(1)} = ${(server + database).toFixed(1)}`),
    );
  }
  lines.push(
    `  ${pad('errors (all variants)', 38)}${pad(String(result.errors.length), 14)}must be 0       ${clean ? 'PASS' : 'FAIL'}`,
    ...result.errors.slice(0, 5).map((error) => `    ${error}`),
  );
  return { text: lines.join('\n'), clean };
}

export function variantName(variant: StreamVariant): string {
  return variant === 'ceiling' ? 'ceiling' : `ours ${variant}`;
}

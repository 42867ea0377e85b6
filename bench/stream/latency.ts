import type { CompletionScript, ScriptedUpstream } from '../../test/upstream/index.js';
import type { StreamTiming } from './sse-client.js';
import { deltaRate, formatMs, formatRate, mark, median, pad, percentile } from './stats.js';
import { ceilingStream, oursStream, requestJson, type StreamContext } from './targets.js';

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

export interface LatencyResult {
  scenario: LatencyScenario;
  ceiling: StreamTiming[];
  ours: StreamTiming[];
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
 * Streams the scenario's completion straight from the upstream (ceiling) and as a streamed run on
 * one thread (ours), alternating which goes first, and keeps every stream's timing. Both are timed
 * from just before the request is sent, so ours includes creating the run, the queue and the worker.
 */
export async function measureLatency(
  context: StreamContext,
  upstream: ScriptedUpstream,
  scenario: LatencyScenario,
  options: LatencyOptions,
): Promise<LatencyResult> {
  upstream.respond(scenario.script);
  const assistant = await requestJson<{ id: string }>(context, 'POST', '/v1/assistants', {
    model: 'gpt-4o-mini',
    instructions: 'You are terse.',
  });
  const thread = await requestJson<{ id: string }>(context, 'POST', '/v1/threads', {
    messages: [{ role: 'user', content: 'Hello there' }],
  });
  const result: LatencyResult = { scenario, ceiling: [], ours: [], errors: [] };

  const once = async (variant: 'ceiling' | 'ours', record: boolean): Promise<void> => {
    let timing: StreamTiming;
    let problem: string | undefined;
    if (variant === 'ceiling') {
      timing = await ceilingStream(context);
      problem = timing.error;
    } else {
      const run = await oursStream(context, thread.id, assistant.id);
      timing = run.timing;
      problem = run.completed
        ? undefined
        : (timing.error ??
          `run ${run.runId} did not end with thread.run.completed + done (last: ${timing.eventNames.slice(-2).join(', ')})`);
    }
    if (problem === undefined && timing.deltas !== options.expectedDeltas)
      problem = `${variant}: ${timing.deltas} deltas, expected ${options.expectedDeltas}`;
    if (problem !== undefined) result.errors.push(`${variant}: ${problem}`);
    if (record && problem === undefined) result[variant].push(timing);
  };

  for (let index = 0; index < options.warmup; index++) {
    await once('ceiling', false);
    await once('ours', false);
  }
  for (let index = 0; index < options.repeats; index++) {
    const order: Array<'ceiling' | 'ours'> = index % 2 === 0 ? ['ceiling', 'ours'] : ['ours', 'ceiling'];
    for (const variant of order) await once(variant, true);
  }
  return result;
}

/** The report for one scenario: TTFT percentiles, token rates, the goals, and whether it was error-free. */
export function formatLatency(result: LatencyResult): { text: string; clean: boolean } {
  const summary = (timings: StreamTiming[]) => {
    const firsts = timings.map((timing) => timing.firstDeltaMs!);
    return {
      p50: percentile(firsts, 0.5),
      p95: percentile(firsts, 0.95),
      rate: median(timings.map(deltaRate)),
      count: timings.length,
    };
  };
  const ceiling = summary(result.ceiling);
  const ours = summary(result.ours);
  const addedP50 = ours.p50 - ceiling.p50;
  const ratio = ours.rate / ceiling.rate;
  const clean = result.errors.length === 0;
  const row = (name: string, values: ReturnType<typeof summary>) =>
    `  ${pad(name, 9)}${pad(formatMs(values.p50), 14)}${pad(formatMs(values.p95), 14)}${pad(formatRate(values.rate), 20)}${values.count}`;
  const lines = [
    `${result.scenario.name}`,
    `  ${pad('variant', 9)}${pad('TTFT p50 ms', 14)}${pad('TTFT p95 ms', 14)}${pad('tokens/s (median)', 20)}streams`,
    row('ceiling', ceiling),
    row('ours', ours),
    `  ${pad('added TTFT p50 (ours - ceiling)', 38)}${pad(`${formatMs(addedP50)} ms`, 14)}goal < ${LATENCY_GOALS.maximumAddedTtftP50Ms} ms     ${mark(addedP50 < LATENCY_GOALS.maximumAddedTtftP50Ms)}`,
    `  ${pad('added TTFT p95 (reference)', 38)}${pad(`${formatMs(ours.p95 - ceiling.p95)} ms`, 14)}`,
    `  ${pad('tokens/s ours/ceiling', 38)}${pad(ratio.toFixed(3), 14)}goal >= ${LATENCY_GOALS.minimumRateRatio}    ${mark(ratio >= LATENCY_GOALS.minimumRateRatio)}`,
    `  ${pad('errors (both)', 38)}${pad(String(result.errors.length), 14)}must be 0       ${clean ? 'PASS' : 'FAIL'}`,
    ...result.errors.slice(0, 5).map((error) => `    ${error}`),
  ];
  return { text: lines.join('\n'), clean };
}

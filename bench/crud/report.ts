import type { Sample } from './measure.js';

export const GOALS = Object.freeze({
  /** Ours must serve at least this fraction of the ceiling's requests per second. */
  minimumRatio: 0.5,
  /** Ours must answer 99% of requests faster than this, in milliseconds. */
  maximumP99Ms: 10,
});

export type Variant = 'ceiling' | 'ours';

/** Every round's sample for one endpoint, per variant. */
export interface CaseSamples {
  name: string;
  description: string;
  samples: Record<Variant, Sample[]>;
}

interface VariantSummary {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  errors: number;
  non2xx: number;
  perRound: number[];
}

/** The median of the per-round values (hono's compare.sh does the same); sums for error counts. */
export function summarize(samples: readonly Sample[]): VariantSummary {
  return {
    requestsPerSecond: median(samples.map((sample) => sample.requestsPerSecond)),
    latencyP50: median(samples.map((sample) => sample.latencyP50)),
    latencyP99: median(samples.map((sample) => sample.latencyP99)),
    errors: sum(samples.map((sample) => sample.errors)),
    non2xx: sum(samples.map((sample) => sample.non2xx)),
    perRound: samples.map((sample) => sample.requestsPerSecond),
  };
}

/** The report for one endpoint, and whether its error counts were zero (otherwise the numbers are void). */
export function formatCase(entry: CaseSamples): { text: string; clean: boolean } {
  const ceiling = summarize(entry.samples.ceiling);
  const ours = summarize(entry.samples.ours);
  const ratio = ours.requestsPerSecond / ceiling.requestsPerSecond;
  const clean = ceiling.errors + ceiling.non2xx + ours.errors + ours.non2xx === 0;
  const lines = [
    `${entry.name}: ${entry.description}`,
    `  ${pad('variant', 9)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 8)}${pad('non-2xx', 9)}req/s per round`,
    variantLine('ceiling', ceiling),
    variantLine('ours', ours),
    `  ${pad('ours/ceiling req/s', 28)}${pad(ratio.toFixed(2), 10)}goal >= ${GOALS.minimumRatio.toFixed(2)}  ${mark(ratio >= GOALS.minimumRatio)}`,
    `  ${pad('ours p99 latency (ms)', 28)}${pad(ours.latencyP99.toFixed(2), 10)}goal < ${GOALS.maximumP99Ms}     ${mark(ours.latencyP99 < GOALS.maximumP99Ms)}`,
    // The same goal applied to the ceiling tells whether the machine can meet it at this load at all.
    `  ${pad('ceiling p99 (reference)', 28)}${pad(ceiling.latencyP99.toFixed(2), 10)}goal < ${GOALS.maximumP99Ms}     ${mark(ceiling.latencyP99 < GOALS.maximumP99Ms)}`,
    `  ${pad('errors + non-2xx (both)', 28)}${pad(String(ceiling.errors + ceiling.non2xx + ours.errors + ours.non2xx), 10)}must be 0    ${clean ? 'PASS' : 'FAIL'}`,
  ];
  return { text: lines.join('\n'), clean };
}

function variantLine(variant: Variant, summary: VariantSummary): string {
  return (
    `  ${pad(variant, 9)}${pad(Math.round(summary.requestsPerSecond).toString(), 10)}` +
    `${pad(summary.latencyP50.toFixed(2), 9)}${pad(summary.latencyP99.toFixed(2), 9)}` +
    `${pad(String(summary.errors), 8)}${pad(String(summary.non2xx), 9)}` +
    summary.perRound.map((value) => Math.round(value)).join(' ')
  );
}

function mark(met: boolean): string {
  return met ? 'PASS' : 'MISS';
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

import type { Backend } from '../backends.js';
import type { Sample } from './measure.js';
import type { CaseName } from './settings.js';
import { ROWS_PER_TRANSACTION } from './sqlite-ceiling-process.js';

/** Issue #12's goals, per case: ratios of the medians over rounds, and p99 at 50 connections. */
export const GOALS = Object.freeze({
  /** Ours must serve at least this fraction of the hello ceiling's requests per second. */
  minimumRatio: { retrieve: 0.6, create: 0.35 } satisfies Record<CaseName, number>,
  /** create: at least this fraction of the rows per second SQLite alone inserts in batches (same schema). */
  minimumRawSqliteRatio: 0.7,
  /** Ours must answer 99% of requests faster than this, in milliseconds. */
  maximumP99Ms: 10,
  /** Below this CPU share the ceiling server was not the bottleneck (the load generator was). */
  saturatedCpuShare: 0.9,
});

/** The ceiling, or our server on one backend. */
export type Variant = 'ceiling' | Backend;

/** One measurement and the CPU time the processes behind it used meanwhile. */
export interface MeasuredSample extends Sample {
  /** Wall seconds the CPU readings cover (the warm-up excluded). */
  cpuWindowSeconds: number;
  /** CPU seconds of the server measured (ours or the ceiling). */
  serverCpuSeconds: number;
  /** CPU seconds of the PostgreSQL backends of our server's database; undefined on SQLite and for the ceiling. */
  databaseCpuSeconds: number | undefined;
  /** CPU seconds of the load generator's process (autocannon) over the same window. */
  loadCpuSeconds: number;
}

/** One round of the raw SQLite ceiling: rows inserted per second, and its process's CPU time meanwhile. */
export interface RawSqliteSample {
  rowsPerSecond: number;
  rows: number;
  seconds: number;
  cpuSeconds: number;
}

/** Every round's sample for one endpoint, per variant (the variants measured, in report order). */
export interface CaseSamples {
  name: CaseName;
  description: string;
  variants: Variant[];
  samples: Partial<Record<Variant, MeasuredSample[]>>;
  /** create only: the raw SQLite batched-insert ceiling, one sample per round. */
  rawSqlite: RawSqliteSample[];
}

interface VariantSummary {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  errors: number;
  non2xx: number;
  perRound: number[];
  /** Shares of one core (1 = one core busy the whole window), medians over rounds. */
  serverCpuShare: number;
  databaseCpuShare: number | undefined;
  loadCpuShare: number;
  /** CPU milliseconds per request answered, medians over rounds. */
  serverCpuMsPerRequest: number;
  databaseCpuMsPerRequest: number | undefined;
}

/** The median of the per-round values (hono's compare.sh does the same); sums for error counts. */
export function summarize(samples: readonly MeasuredSample[]): VariantSummary {
  const database = samples.every((sample) => sample.databaseCpuSeconds !== undefined) && samples.length > 0;
  return {
    requestsPerSecond: median(samples.map((sample) => sample.requestsPerSecond)),
    latencyP50: median(samples.map((sample) => sample.latencyP50)),
    latencyP99: median(samples.map((sample) => sample.latencyP99)),
    errors: sum(samples.map((sample) => sample.errors)),
    non2xx: sum(samples.map((sample) => sample.non2xx)),
    perRound: samples.map((sample) => sample.requestsPerSecond),
    serverCpuShare: median(samples.map((sample) => sample.serverCpuSeconds / sample.cpuWindowSeconds)),
    loadCpuShare: median(samples.map((sample) => sample.loadCpuSeconds / sample.cpuWindowSeconds)),
    databaseCpuShare: database
      ? median(samples.map((sample) => sample.databaseCpuSeconds! / sample.cpuWindowSeconds))
      : undefined,
    serverCpuMsPerRequest: median(samples.map((sample) => (1000 * sample.serverCpuSeconds) / sample.totalRequests)),
    databaseCpuMsPerRequest: database
      ? median(samples.map((sample) => (1000 * sample.databaseCpuSeconds!) / sample.totalRequests))
      : undefined,
  };
}

/** The report for one endpoint, and whether its error counts were zero (otherwise the numbers are void). */
export function formatCase(entry: CaseSamples): { text: string; clean: boolean } {
  const summaries = new Map(entry.variants.map((variant) => [variant, summarize(entry.samples[variant] ?? [])]));
  const ceiling = summaries.get('ceiling')!;
  const backends = entry.variants.filter((variant): variant is Backend => variant !== 'ceiling');
  const failures = sum([...summaries.values()].map((summary) => summary.errors + summary.non2xx));
  const clean = failures === 0;
  const lines = [
    `${entry.name}: ${entry.description}`,
    `  ${pad('variant', 15)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 8)}${pad('non-2xx', 9)}` +
      `${pad('server CPU', 12)}${pad('db CPU', 9)}${pad('load gen CPU', 14)}req/s per round`,
    ...entry.variants.map((variant) => variantLine(variant, summaries.get(variant)!)),
  ];
  const raw = entry.rawSqlite.length > 0 ? summarizeRaw(entry.rawSqlite) : undefined;
  if (raw)
    lines.push(
      `  ${pad('raw SQLite', 15)}${pad(Math.round(raw.rowsPerSecond).toString(), 10)}${pad('-', 9)}${pad('-', 9)}${pad('-', 8)}${pad('-', 9)}` +
        `${pad(percent(raw.cpuShare), 12)}${pad('-', 9)}${pad('-', 14)}${raw.perRound.map((value) => Math.round(value)).join(' ')}` +
        `  (rows/s, ${ROWS_PER_TRANSACTION} per transaction)`,
    );
  const minimumRatio = GOALS.minimumRatio[entry.name];
  for (const backend of backends) {
    const ratio = summaries.get(backend)!.requestsPerSecond / ceiling.requestsPerSecond;
    lines.push(
      `  ${pad(`ours/hello ceiling req/s, ${backend}`, 42)}${pad(ratio.toFixed(2), 10)}goal >= ${minimumRatio.toFixed(2)}  ${mark(ratio >= minimumRatio)}`,
    );
    // SQLite beside SQLite: the raw ceiling says nothing about what PostgreSQL could take.
    if (raw && backend === 'sqlite') {
      const rawRatio = summaries.get(backend)!.requestsPerSecond / raw.rowsPerSecond;
      lines.push(
        `  ${pad(`ours req/s / raw SQLite rows/s, ${backend}`, 42)}${pad(rawRatio.toFixed(2), 10)}goal >= ${GOALS.minimumRawSqliteRatio.toFixed(2)}  ${mark(rawRatio >= GOALS.minimumRawSqliteRatio)}`,
      );
    }
  }
  for (const backend of backends) {
    const p99 = summaries.get(backend)!.latencyP99;
    lines.push(
      `  ${pad(`ours p99 latency (ms), ${backend}`, 42)}${pad(p99.toFixed(2), 10)}goal < ${GOALS.maximumP99Ms}     ${mark(p99 < GOALS.maximumP99Ms)}`,
    );
  }
  lines.push(
    // The same goal applied to the ceiling tells whether the machine can meet it at this load at all.
    `  ${pad('ceiling p99 (reference)', 42)}${pad(ceiling.latencyP99.toFixed(2), 10)}goal < ${GOALS.maximumP99Ms}     ${mark(ceiling.latencyP99 < GOALS.maximumP99Ms)}`,
    // Saturated: the hello server, not autocannon, set the ceiling's rate.
    `  ${pad('ceiling server CPU (saturated?)', 42)}${pad(percent(ceiling.serverCpuShare), 10)}>= ${percent(GOALS.saturatedCpuShare)}        ` +
      saturation(ceiling),
  );
  if (raw)
    lines.push(
      // The most any HTTP create could reach against the raw ceiling, with storage free.
      `  ${pad('hello ceiling req/s / raw SQLite rows/s', 42)}${pad((ceiling.requestsPerSecond / raw.rowsPerSecond).toFixed(2), 10)}(reference)`,
      // CPU per row against CPU per request: the comparison that a busy machine moves least.
      `  ${pad('CPU ms per row, raw SQLite', 42)}${raw.cpuMsPerRow.toFixed(4)}`,
    );
  for (const variant of entry.variants) {
    const summary = summaries.get(variant)!;
    const database =
      summary.databaseCpuMsPerRequest === undefined
        ? ''
        : ` + database ${summary.databaseCpuMsPerRequest.toFixed(3)} = ${(summary.serverCpuMsPerRequest + summary.databaseCpuMsPerRequest).toFixed(3)}`;
    lines.push(
      `  ${pad(`CPU ms per request, ${variantName(variant)}`, 42)}server ${summary.serverCpuMsPerRequest.toFixed(3)}${database}`,
    );
  }
  lines.push(
    `  ${pad('errors + non-2xx (all variants)', 42)}${pad(String(failures), 10)}must be 0    ${clean ? 'PASS' : 'FAIL'}`,
  );
  return { text: lines.join('\n'), clean };
}

export function variantName(variant: Variant): string {
  return variant === 'ceiling' ? 'ceiling' : `ours ${variant}`;
}

function variantLine(variant: Variant, summary: VariantSummary): string {
  return (
    `  ${pad(variantName(variant), 15)}${pad(Math.round(summary.requestsPerSecond).toString(), 10)}` +
    `${pad(summary.latencyP50.toFixed(2), 9)}${pad(summary.latencyP99.toFixed(2), 9)}` +
    `${pad(String(summary.errors), 8)}${pad(String(summary.non2xx), 9)}` +
    `${pad(percent(summary.serverCpuShare), 12)}${pad(summary.databaseCpuShare === undefined ? '-' : percent(summary.databaseCpuShare), 9)}` +
    pad(percent(summary.loadCpuShare), 14) +
    summary.perRound.map((value) => Math.round(value)).join(' ')
  );
}

/** Whether the hello server set the ceiling's rate, and if not, what did. */
function saturation(ceiling: VariantSummary): string {
  if (ceiling.serverCpuShare >= GOALS.saturatedCpuShare) return 'yes';
  if (ceiling.loadCpuShare >= GOALS.saturatedCpuShare)
    return `no: the load generator (${percent(ceiling.loadCpuShare)}) bounds it`;
  return `no, nor the load generator (${percent(ceiling.loadCpuShare)}): other work on the machine takes the CPUs`;
}

function summarizeRaw(samples: readonly RawSqliteSample[]) {
  return {
    rowsPerSecond: median(samples.map((sample) => sample.rowsPerSecond)),
    cpuShare: median(samples.map((sample) => sample.cpuSeconds / sample.seconds)),
    cpuMsPerRow: median(samples.map((sample) => (1000 * sample.cpuSeconds) / sample.rows)),
    perRound: samples.map((sample) => sample.rowsPerSecond),
  };
}

/** A share of one core as a percentage (200% = both cores of a 2-core machine). */
function percent(share: number): string {
  return `${Math.round(100 * share)}%`;
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

/** The value below which `fraction` of the values lie (nearest rank); NaN for no values. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** Deltas per second between the first and the last delta of one stream (the first one starts the clock). */
export function deltaRate(timing: {
  deltas: number;
  firstDeltaMs: number | undefined;
  lastDeltaMs: number | undefined;
}): number {
  if (timing.deltas < 2 || timing.firstDeltaMs === undefined || timing.lastDeltaMs === undefined) return Number.NaN;
  const seconds = (timing.lastDeltaMs - timing.firstDeltaMs) / 1000;
  return seconds > 0 ? (timing.deltas - 1) / seconds : Number.POSITIVE_INFINITY;
}

export function mark(met: boolean): string {
  return met ? 'PASS' : 'MISS';
}

export function pad(text: string, width: number): string {
  return text.padEnd(width);
}

export function formatMs(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : String(value);
}

export function formatRate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : String(value);
}

/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*` (Go's `time.Duration` style): `17ms`, `1s`, `8.64s`,
 * `6m0s`, `1h2m3s`. Clients parse these, so the units and their order matter more than the precision.
 */
export function formatDuration(ms: number): string {
  const rounded = Math.max(0, Math.round(ms));
  if (rounded === 0) return '0s';
  if (rounded < 1000) return `${rounded}ms`;
  const hours = Math.floor(rounded / 3_600_000);
  const minutes = Math.floor((rounded % 3_600_000) / 60_000);
  const seconds = `${Number(((rounded % 60_000) / 1000).toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

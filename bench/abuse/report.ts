import { mark, median } from '../stream/stats.js';
import type { Measurement, MemoryFigures } from './measure.js';
import type { AbuseResult } from './rounds.js';

/** /health p99 during any abuse, in ms. */
export const HEALTH_P99_GOAL_MS = 50;
/** Growth of resident memory from before a ZIP bomb to its peak, in MB. */
export const RSS_GROWTH_GOAL_MB = 200;

const HEADER =
  '| abuse | /health p50 / p99 / max ms | p99 per round | p99 ÷ ceiling | p99 < 50 ms ' +
  '| server RSS MB before → peak → after | with children MB | growth < 200 MB | s |';

/**
 * The Markdown table the README keeps, then each abuse's outcome. Latencies are medians over the rounds
 * (max: the largest), memory is the first round's (the first time the server meets the abuse, one-time
 * loading included), growth the largest of any round, as server / with children.
 */
export function formatReport(baselines: Measurement[], results: readonly AbuseResult[], after: Measurement): string {
  const ceiling = median(baselines.map((baseline) => baseline.health.p99));
  const lines = [HEADER, '|---|---|---|---|---|---|---|---|---|'];
  lines.push(tableRow('baseline, no abuse (ceiling)', baselines, ceiling, false));
  for (const { abuse, measurements, skipped } of results) {
    if (measurements.length > 0) lines.push(tableRow(abuse.title, measurements, ceiling, abuse.memoryGoal));
    if (skipped) lines.push(`| ${abuse.title} | skipped: ${skipped} | | | | | | | |`);
  }
  lines.push(tableRow('baseline again, after all rounds', [after], ceiling, false));
  lines.push('', 'Outcomes (first round; each later one too where it differed in more than its numbers):', '');
  for (const { abuse, measurements } of results) {
    const outcomes = measurements.map((measured) => measured.outcome);
    const same = new Set(outcomes.map((outcome) => outcome.replace(/\d+(\.\d+)?/g, '#'))).size === 1;
    const shown = same ? outcomes.slice(0, 1) : outcomes.map((outcome, index) => `round ${index + 1}: ${outcome}`);
    for (const outcome of shown) lines.push(`- ${abuse.title}: ${outcome}`);
  }
  return lines.join('\n');
}

function tableRow(title: string, rounds: readonly Measurement[], ceiling: number, memoryGoal: boolean): string {
  const p99 = median(rounds.map((measured) => measured.health.p99));
  const p50 = median(rounds.map((measured) => measured.health.p50));
  const max = Math.max(...rounds.map((measured) => measured.health.max));
  const perRound = rounds.map((measured) => ms(measured.health.p99)).join(', ');
  const failures = rounds.reduce((sum, measured) => sum + measured.health.failures, 0);
  const healthMark = `${mark(p99 < HEALTH_P99_GOAL_MS)}${failures > 0 ? ` (${failures} polls failed)` : ''}`;
  const first = rounds[0]!;
  const serverGrowth = Math.max(...rounds.map((measured) => measured.server.peak - measured.server.before));
  const treeGrowth = Math.max(...rounds.map((measured) => measured.tree.peak - measured.tree.before));
  const growth = `${signed(serverGrowth)} / ${signed(treeGrowth)}`;
  const memoryMark = memoryGoal
    ? `${growth}: ${mark(Math.max(serverGrowth, treeGrowth) < RSS_GROWTH_GOAL_MB)}`
    : `(${growth})`;
  const seconds = median(rounds.map((measured) => measured.seconds));
  return (
    `| ${title} | ${ms(p50)} / ${ms(p99)} / ${ms(max)} | ${perRound} | ${(p99 / ceiling).toFixed(1)} | ${healthMark} ` +
    `| ${memory(first.server)} | ${memory(first.tree)} | ${memoryMark} | ${seconds.toFixed(1)} |`
  );
}

function memory(figures: MemoryFigures): string {
  return `${mb(figures.before)} → ${mb(figures.peak)} → ${mb(figures.after)}`;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function signed(value: number): string {
  return `${value < 0 ? '−' : '+'}${mb(Math.abs(value))}`;
}

function mb(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '?';
}

import { mark } from '../stream/stats.js';
import type { Measurement } from './measure.js';

/** /health p99 during any abuse, in ms. */
export const HEALTH_P99_GOAL_MS = 50;
/** Growth of resident memory from before a ZIP bomb to its peak, in MB. */
export const RSS_GROWTH_GOAL_MB = 200;

export interface Row {
  title: string;
  memoryGoal: boolean;
  measurement?: Measurement;
  skipped?: string;
}

/** The Markdown table the README keeps, then each abuse's outcome in full. */
export function formatReport(baseline: Measurement, rows: readonly Row[]): string {
  const ceiling = baseline.health.p99;
  const lines = [
    '| abuse | /health p50 / p99 / max ms | p99 ÷ ceiling | p99 < 50 ms | server RSS MB before → peak → after ' +
      '| with children MB | growth < 200 MB | s |',
    '|---|---|---|---|---|---|---|---|',
    tableRow('baseline, no abuse (ceiling)', baseline, ceiling, false),
  ];
  for (const row of rows) {
    if (row.measurement) lines.push(tableRow(row.title, row.measurement, ceiling, row.memoryGoal));
    else lines.push(`| ${row.title} | skipped | | | | | | |`);
  }
  lines.push('', 'Outcomes:', '');
  for (const row of rows) lines.push(`- ${row.title}: ${row.measurement?.outcome ?? row.skipped ?? ''}`);
  return lines.join('\n');
}

function tableRow(title: string, measured: Measurement, ceiling: number, memoryGoal: boolean): string {
  const { health, server, tree } = measured;
  const latency = `${ms(health.p50)} / ${ms(health.p99)} / ${ms(health.max)}`;
  const ratio = (health.p99 / ceiling).toFixed(1);
  const failed = health.failures > 0 ? ` (${health.failures} polls failed)` : '';
  const healthMark = `${mark(health.p99 < HEALTH_P99_GOAL_MS)}${failed}`;
  const serverGrowth = server.peak - server.before;
  const treeGrowth = tree.peak - tree.before;
  const growth = `${signed(serverGrowth)} / ${signed(treeGrowth)}`;
  const memoryMark = memoryGoal
    ? `${growth}: ${mark(Math.max(serverGrowth, treeGrowth) < RSS_GROWTH_GOAL_MB)}`
    : `(${growth})`;
  return (
    `| ${title} | ${latency} | ${ratio} | ${healthMark} | ${memory(server)} | ${memory(tree)} | ${memoryMark} ` +
    `| ${measured.seconds.toFixed(1)} |`
  );
}

function memory(figures: { before: number; peak: number; after: number }): string {
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

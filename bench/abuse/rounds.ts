import type { Abuse } from './abuse.js';
import { ABUSES } from './abuses/index.js';
import { sleep } from './api.js';
import { type Measurement, measureWindow } from './measure.js';
import type { Target } from './target.js';

/** One abuse over every round: its measurements, or why it was skipped. */
export interface AbuseResult {
  abuse: Abuse;
  measurements: Measurement[];
  skipped?: string;
}

export interface RoundsResult {
  /** /health with no abuse at the start of each round: the ceilings. */
  baselines: Measurement[];
  results: AbuseResult[];
}

/**
 * Each round measures the ceiling (no abuse), then every abuse in turn. Several rounds, because one
 * stall on a shared machine decides the p99 of a short window; the report takes the median.
 */
export async function runRounds(target: Target, rounds: number): Promise<RoundsResult> {
  const { settings } = target;
  const baselines: Measurement[] = [];
  const results = settings.abuses.map((name): AbuseResult => ({ abuse: ABUSES[name], measurements: [] }));
  for (let round = 1; round <= rounds; round += 1) {
    console.error(`round ${round}/${rounds}: baseline, no abuse`);
    baselines.push(await idleWindow(target));
    for (const result of results) {
      if (result.skipped) continue;
      console.error(`round ${round}/${rounds}: ${result.abuse.title}`);
      const measured = await runAbuse(result.abuse, target);
      if ('skip' in measured) {
        console.log(`note: ${result.abuse.name} skipped: ${measured.skip}`);
        result.skipped = measured.skip;
        continue;
      }
      result.measurements.push(measured);
      console.error(`  ${measured.outcome}`);
      if (measured.spoiled) {
        console.error('  (the server is replaced by a fresh one for what follows)');
        await target.replace();
      }
    }
  }
  return { baselines, results };
}

async function runAbuse(abuse: Abuse, target: Target): Promise<Measurement | { skip: string }> {
  // A queue left by an abuse that ended early must not answer this one's model calls.
  target.upstream.reset();
  target.upstream.respond({ text: 'Done.' });
  const prepared = await abuse.prepare(target.context()).catch((error: unknown) => ({ skip: `prepare: ${error}` }));
  if ('skip' in prepared) return prepared;
  return measureWindow(target.window(), prepared.run);
}

/** A window with nothing but the poller: the ceiling. */
export function idleWindow(target: Target): Promise<Measurement> {
  const seconds = target.settings.baselineSeconds;
  return measureWindow(target.window(), async () => {
    await sleep(seconds * 1000);
    return `idle for ${seconds} s`;
  });
}

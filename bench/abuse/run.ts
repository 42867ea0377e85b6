import { startScriptedUpstream } from '../../test/upstream/index.js';
import { sleep } from './api.js';
import { describeLoad, describeMachine } from './describe-machine.js';
import type { Measurement } from './measure.js';
import { statusMb, treeRssMb } from './memory.js';
import { formatReport } from './report.js';
import { idleWindow, runRounds } from './rounds.js';
import { readSettings } from './settings.js';
import { Target } from './target.js';

/**
 * Abuses our server one at a time while a separate process polls `GET /health` every 10 ms, and reads the
 * server's memory around each: /health p50/p99/max beside the same poller's figures with no abuse (the
 * ceiling, measured at the start of each round in the same run), RSS before/peak/after, and what the
 * server answered.
 */
async function main(): Promise<void> {
  const settings = readSettings();
  console.log(`bench/abuse: ${describeMachine()}`);
  console.log(
    `${settings.rounds} round(s); /health polled every ${settings.intervalMs} ms from its own process; abuses ` +
      `bounded by ${settings.timeoutSeconds} s, RSS "after" read ${settings.settleSeconds} s after each; ` +
      `embeddings: ${settings.embeddings === 'none' ? 'off (keyword only)' : 'scripted upstream'}`,
  );
  const upstream = await startScriptedUpstream();
  const target = await Target.start(upstream, settings);
  try {
    const { baselines, results } = await runRounds(target, settings.rounds);
    console.error('baseline again, after the abuses');
    const after = await idleWindow(target);
    const idle = await idleMemory(target.pid, settings.finalIdleSeconds, baselines[0]!);
    console.log('');
    console.log(formatReport(baselines, results, after));
    console.log('');
    if (idle) console.log(idle);
    console.log(`At the end: ${describeLoad()}`);
  } finally {
    await target.close();
    await upstream.close();
  }
}

/**
 * The pools keep their workers a while after use (token counting 30 s, ingestion processes 60 s), so the
 * settle time after each abuse cannot show what they give back; one longer wait at the end does.
 */
async function idleMemory(pid: number, seconds: number, first: Measurement): Promise<string> {
  if (seconds === 0) return '';
  console.error(`waiting ${seconds} s for the pools to let their idle workers go`);
  await sleep(seconds * 1000);
  const figures = (server: number, tree: number): string =>
    `server ${server.toFixed(0)} MB, with children ${tree.toFixed(0)} MB`;
  const now = figures(statusMb(pid, 'VmRSS') ?? Number.NaN, treeRssMb(pid));
  const before = figures(first.server.before, first.tree.before);
  return `RSS after ${seconds} s idle at the end: ${now} (before the first baseline: ${before})`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

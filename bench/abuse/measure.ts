import { percentile } from '../stream/stats.js';
import { sleep } from './api.js';
import { resetPeak, samplePeaks, statusMb, treeRssMb } from './memory.js';
import { startPoller } from './poller.js';

/** /health as the poller saw it, in ms. */
export interface HealthFigures {
  p50: number;
  p99: number;
  max: number;
  /** Polls answered, and polls that could not be sent because the previous one was still waiting. */
  polls: number;
  missed: number;
  failures: number;
}

/** MB before the abuse, at its peak, and after the settle time. */
export interface MemoryFigures {
  before: number;
  peak: number;
  after: number;
}

export interface Measurement {
  health: HealthFigures;
  /** The server process alone: VmRSS, and VmHWM reset just before the abuse. */
  server: MemoryFigures;
  /** The server and its child processes (ingestion, sandboxes), sampled every 20 ms. */
  tree: MemoryFigures;
  seconds: number;
  outcome: string;
  /** The abuse did not end by its deadline, or the server died: what follows needs a fresh server. */
  spoiled: boolean;
}

export interface Window {
  pid: number;
  serverUrl: string;
  intervalMs: number;
  timeoutMs: number;
  settleMs: number;
}

/**
 * Polls /health from its own process while `work` runs, and reads the server's memory around it. `work`
 * gets its deadline; past it (plus a grace) the window closes anyway and says so.
 */
export async function measureWindow(window: Window, work: (deadline: number) => Promise<string>): Promise<Measurement> {
  const { pid } = window;
  const serverBefore = statusMb(pid, 'VmRSS') ?? Number.NaN;
  const treeBefore = treeRssMb(pid);
  const poller = await startPoller(window.serverUrl, window.intervalMs);
  const exactPeak = resetPeak(pid);
  const sampler = samplePeaks(pid);
  const started = performance.now();
  const deadline = started + window.timeoutMs;
  const { outcome, finished } = await settle(work(deadline), window.timeoutMs + 10_000);
  const seconds = (performance.now() - started) / 1000;
  const report = await poller.stop();
  const sampled = sampler.stop();
  const serverPeak = (exactPeak ? statusMb(pid, 'VmHWM') : undefined) ?? sampled.server;
  await sleep(window.settleMs);
  const alive = statusMb(pid, 'VmRSS') !== undefined;
  const all = [...report.latenciesMs, ...report.missedMs];
  return {
    health: {
      p50: percentile(all, 0.5),
      p99: percentile(all, 0.99),
      max: all.reduce((largest, value) => Math.max(largest, value), 0),
      polls: report.latenciesMs.length,
      missed: report.missedMs.length,
      failures: report.failures,
    },
    server: { before: serverBefore, peak: serverPeak, after: statusMb(pid, 'VmRSS') ?? Number.NaN },
    tree: { before: treeBefore, peak: sampled.tree, after: treeRssMb(pid) },
    seconds,
    outcome: alive ? outcome : `${outcome}; THE SERVER DIED`,
    spoiled: !finished || !alive || outcome.startsWith('error:'),
  };
}

async function settle(work: Promise<string>, limitMs: number): Promise<{ outcome: string; finished: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<{ outcome: string; finished: boolean }>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: `not done after ${limitMs / 1000} s`, finished: false }), limitMs);
  });
  const done = work.then(
    (outcome) => ({ outcome, finished: true }),
    (error: unknown) => ({
      outcome: `error: ${error instanceof Error ? error.message : String(error)}`,
      finished: true,
    }),
  );
  try {
    return await Promise.race([done, limit]);
  } finally {
    clearTimeout(timer);
  }
}

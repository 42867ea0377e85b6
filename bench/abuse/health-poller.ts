import http from 'node:http';
import { createInterface } from 'node:readline';

/*
 * A child process of its own, so the bench's other work never delays a poll: `GET <url>/health` every
 * <interval> ms on one keep-alive socket until stdin closes, then one JSON line (`PollerReport`) on stdout.
 * It prints `ready` once the first poll has answered.
 *
 *   node --import tsx bench/abuse/health-poller.ts http://127.0.0.1:PORT 10
 */

/** What the poller measured; `missedMs` holds what the polls it could not send would have waited. */
export interface PollerReport {
  latenciesMs: number[];
  missedMs: number[];
  failures: number;
}

const REQUEST_TIMEOUT_MS = 60_000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function getHealth(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${url}/health`, { agent, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const [url, intervalText] = process.argv.slice(2);
  const intervalMs = Number(intervalText);
  if (!url || !(intervalMs > 0)) throw new Error('usage: health-poller.ts <server url> <interval ms>');
  const report: PollerReport = { latenciesMs: [], missedMs: [], failures: 0 };
  let stopping = false;
  createInterface({ input: process.stdin }).on('close', () => {
    stopping = true;
  });
  let announced = false;
  let due = performance.now();
  while (!stopping) {
    const sent = performance.now();
    const ok = await getHealth(url);
    const answered = performance.now();
    report.latenciesMs.push(answered - sent);
    if (!ok) report.failures += 1;
    if (!announced) {
      announced = true;
      process.stdout.write('ready\n');
    }
    // A stalled server would otherwise count once however long it stalled (coordinated omission): every
    // poll due while this one waited would have waited until it was answered.
    due += intervalMs;
    for (; due < answered; due += intervalMs) report.missedMs.push(answered - due);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  agent.destroy();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

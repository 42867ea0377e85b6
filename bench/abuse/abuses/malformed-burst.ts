import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Abuse } from '../abuse.js';
import type { BurstReport } from '../burst-load.js';

/** A burst of malformed requests (bad JSON, types, ids, queries, framing, auth) from a load process of its own. */
export const malformedBurst: Abuse = {
  name: 'malformed-burst',
  title: 'burst of malformed requests',
  memoryGoal: false,
  async prepare({ serverUrl, apiKey, settings }) {
    const { burst, burstConcurrency } = settings;
    return {
      async run(deadline) {
        const report = await runBurst(serverUrl, apiKey, burst, burstConcurrency, deadline);
        const statuses = Object.entries(report.statuses)
          .map(([status, count]) => `${status}×${count}`)
          .join(', ');
        const broken = Object.entries(report.broken).map(([kind, count]) => `${kind} ×${count}`);
        return (
          `${burst.toLocaleString('en-US')} requests, ${burstConcurrency} in flight, ` +
          `in ${report.seconds.toFixed(1)} s (p50 ${report.p50Ms.toFixed(0)} ms, p99 ${report.p99Ms.toFixed(0)} ms): ` +
          `${statuses}${broken.length > 0 ? `; 5xx or no answer: ${broken.join(', ')}` : ''}`
        );
      },
    };
  },
};

function runBurst(
  serverUrl: string,
  apiKey: string,
  count: number,
  concurrency: number,
  deadline: number,
): Promise<BurstReport> {
  const script = path.join(import.meta.dirname, '..', 'burst-load.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, serverUrl, apiKey, String(count), String(concurrency)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, deadline - performance.now()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(output) as BurstReport);
      else reject(new Error(`burst load process exited with code ${code}`));
    });
  });
}

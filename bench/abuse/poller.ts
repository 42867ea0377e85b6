import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { PollerReport } from './health-poller.js';

export interface RunningPoller {
  /** Closes the poller's stdin and resolves with what it measured. */
  stop(): Promise<PollerReport>;
}

/** Spawns `health-poller.ts` with `node` and resolves once its first poll has answered. */
export async function startPoller(serverUrl: string, intervalMs: number): Promise<RunningPoller> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'health-poller.ts'), serverUrl, String(intervalMs)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`health poller exited with code ${code}`));
      child.once('exit', onExit);
      lines.once('line', (line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const first = await nextLine();
  if (first !== 'ready') throw new Error(`health poller said '${first}' instead of ready`);
  return {
    async stop() {
      const report = nextLine();
      child.stdin.end();
      return JSON.parse(await report) as PollerReport;
    },
  };
}

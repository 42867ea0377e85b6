import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface CeilingServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Starts `ceiling-server.ts` in a child process with the same Node flags as our server
 * (`--import tsx`, a minimal environment) and resolves with its url.
 */
export async function startCeiling(): Promise<CeilingServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'ceiling-server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ceiling server did not start within 30 s')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = parseJsonLine(line);
      if (typeof entry?.url !== 'string') return;
      clearTimeout(timer);
      resolve(entry.url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ceiling server exited with code ${code} before listening`));
    });
  });
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

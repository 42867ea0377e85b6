import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { backendEnv, removeBackendData } from './test-backend.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The SDK's `baseURL`: `${url}/v1`. */
  baseURL: string;
  dataDir: string;
  pid: number;
  /** Every log line the server printed, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** The server's peak resident memory so far (VmHWM), in bytes. */
  peakRssBytes(): number;
  /** The server's current resident memory (VmRSS), in bytes. */
  rssBytes(): number;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data directory (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string;
  /** `serve` (API only) or `worker` (no HTTP: `url` is empty) on PostgreSQL; API and workers by default. */
  command?: 'serve' | 'worker';
}

/**
 * Starts the real server (`src/cli.ts`: API and workers in one process) as a child process on a free port with its own
 * DATA_DIR, and resolves once it listens. The caller stops it; `removeDataDir` cleans up.
 * In the PostgreSQL pass of scripts/run-tests.mjs the server also gets the database and the bucket of its
 * data directory (test-backend.ts), unless `env` names its own DATABASE_URL or BLOB_STORE.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'assistants-test-'));
  const backend = await backendEnv(dataDir, options.env);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...(options.command ? [options.command] : [])],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        ...backend,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s\n${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (typeof entry.url === 'string' || entry.role === 'worker') {
        clearTimeout(timer);
        resolve(typeof entry.url === 'string' ? entry.url : '');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before listening\n${stderr}`));
    });
  });
  const pid = child.pid!;
  // The PostgreSQL pass must not pass by running on SQLite: a server given the pass's database has no SQLite file.
  if (backend.DATABASE_URL !== undefined && existsSync(path.join(dataDir, 'assistants.sqlite'))) {
    await stopChild(child, 'SIGKILL');
    throw new Error(`the server on ${dataDir} was given DATABASE_URL, yet it opened assistants.sqlite`);
  }
  return {
    url,
    baseURL: `${url}/v1`,
    dataDir,
    pid,
    logs,
    stop: () => stopChild(child, 'SIGTERM'),
    kill: () => stopChild(child, 'SIGKILL'),
    peakRssBytes: () => readStatusKb(pid, 'VmHWM') * 1024,
    rssBytes: () => readStatusKb(pid, 'VmRSS') * 1024,
  };
}

export function removeDataDir(server: TestServer): void {
  rmSync(server.dataDir, { recursive: true, force: true });
  removeBackendData(server.dataDir);
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

function readStatusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!match) throw new Error(`${field} not found in /proc/${pid}/status`);
  return Number(match[1]);
}

import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeDataDir, startTestServer, type TestServer } from '../../test/helpers/test-server.js';
import type { ScriptedUpstream } from '../../test/upstream/index.js';
import type { AbuseBenchSettings } from './settings.js';

export const API_KEY = 'bench-abuse-key';

/** Our server under abuse, with its own temporary DATA_DIR and CODE_INTERPRETER_DIR. */
export interface AbusedServer {
  server: TestServer;
  codeInterpreterDir: string;
  /** Stops the server (SIGKILL if it does not stop within 10 s) and removes its folders. */
  close(): Promise<void>;
}

/**
 * The real server (`src/cli.ts serve` via test/helpers/test-server.ts) in its own process, with defaults
 * everywhere but the model provider (the scripted upstream, which embeds too unless BENCH_EMBEDDINGS=none)
 * and an API key, so what is measured is what a user running it gets.
 */
export async function startAbusedServer(
  upstream: ScriptedUpstream,
  settings: AbuseBenchSettings,
): Promise<AbusedServer> {
  // The sandbox's unprivileged user must be able to traverse to each thread's folder.
  const codeInterpreterDir = mkdtempSync(path.join(tmpdir(), 'bench-abuse-sandbox-'));
  chmodSync(codeInterpreterDir, 0o711);
  const server = await startTestServer({
    env: {
      API_KEYS: `${API_KEY}=bench`,
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: 'upstream-key',
      CODE_INTERPRETER_DIR: codeInterpreterDir,
      ...(settings.embeddings === 'none' ? { EMBEDDING_MODEL: 'none' } : {}),
      ...(settings.cpuProfileDir ? cpuProfileEnv(settings.cpuProfileDir) : {}),
    },
  });
  return {
    server,
    codeInterpreterDir,
    async close() {
      const forced = setTimeout(() => void server.kill(), 10_000);
      await server.stop();
      clearTimeout(forced);
      removeDataDir(server);
      rmSync(codeInterpreterDir, { recursive: true, force: true });
    },
  };
}

/** Node 20 rejects `--cpu-prof` in NODE_OPTIONS, so bench/crud's preloaded module runs the profiler instead. */
function cpuProfileEnv(directory: string): Record<string, string> {
  mkdirSync(directory, { recursive: true });
  const preload = pathToFileURL(path.join(import.meta.dirname, 'start-cpu-profile.mjs')).href;
  return { NODE_OPTIONS: `--import tsx --import ${preload}`, BENCH_CPU_PROF: directory };
}

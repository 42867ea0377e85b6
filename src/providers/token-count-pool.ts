import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { TokenCounter } from './token-count.js';

export interface TokenCountTask {
  encoding: TokenCounter['encoding'];
  texts: readonly string[];
}

/** Counts tokens off the event loop: counting is linear but still ~8 MB/s, and prompts reach megabytes. */
export interface TokenCountPool {
  /** Each text's token count with `encoding`, in order. */
  count(encoding: TokenCounter['encoding'], texts: readonly string[]): Promise<number[]>;
  close(): Promise<void>;
}

/** A count could not be made because a worker of the pool failed (to start, typically: a broken install). */
export class TokenCountUnavailableError extends Error {
  constructor(readonly reason: unknown) {
    super(`Token counting is unavailable: a token-count worker failed (${messageOf(reason)}).`);
    this.name = 'TokenCountUnavailableError';
  }
}

export interface TokenCountPoolOptions {
  threads?: number;
  onError?: (error: unknown) => void;
  /** The worker module (exports `countTexts`); the one beside this file unless a test names another. */
  workerFile?: string;
}

/**
 * A piscina pool of worker threads running `token-count-worker`. Worker threads (not processes) suffice here:
 * the input is bounded by the request limits and counting allocates little, so no task can exhaust memory.
 */
export function createTokenCountPool(options: TokenCountPoolOptions = {}): TokenCountPool {
  // From source (tests run TypeScript through tsx, which workers inherit with the parent's execArgv) the worker is
  // the .ts file beside this one; in the build it is the compiled .js.
  const fromSource = import.meta.url.endsWith('.ts');
  const filename =
    options.workerFile ??
    fileURLToPath(new URL(fromSource ? './token-count-worker.ts' : './token-count-worker.js', import.meta.url));
  const pool = new Piscina({
    filename,
    name: 'countTexts',
    minThreads: 0,
    maxThreads: options.threads ?? Math.max(1, availableParallelism() - 1),
    idleTimeout: 30_000,
  });
  // Tasks not answered yet, each with the controller that fails it.
  const inFlight = new Set<AbortController>();
  // A worker that dies outside a task is reported here; unheard, it would end the process. When it failed to start,
  // piscina keeps the tasks queued for it and (a bootstrap failure being permanent) starts no other worker, so they
  // would never settle: every task in flight fails instead, and the next task tries a new worker.
  pool.on('error', (error: unknown) => {
    options.onError?.(error);
    const failure = new TokenCountUnavailableError(error);
    for (const controller of inFlight) controller.abort(failure);
  });
  return {
    async count(encoding, texts) {
      // Even short texts go to a worker: the first count would load the encoding's table (0.3 s) on the event loop.
      if (texts.length === 0) return [];
      const controller = new AbortController();
      inFlight.add(controller);
      try {
        return (await pool.run({ encoding, texts } satisfies TokenCountTask, {
          signal: controller.signal,
        })) as number[];
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw error;
      } finally {
        inFlight.delete(controller);
      }
    },
    close: () => pool.destroy(),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

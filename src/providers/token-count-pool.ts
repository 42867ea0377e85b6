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

/**
 * A piscina pool of worker threads running `token-count-worker`. Worker threads (not processes) suffice here:
 * the input is bounded by the request limits and counting allocates little, so no task can exhaust memory.
 */
export function createTokenCountPool(
  options: { threads?: number; onError?: (error: unknown) => void } = {},
): TokenCountPool {
  // From source (tests run TypeScript through tsx, which workers inherit with the parent's execArgv) the worker is
  // the .ts file beside this one; in the build it is the compiled .js.
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = fileURLToPath(
    new URL(fromSource ? './token-count-worker.ts' : './token-count-worker.js', import.meta.url),
  );
  const pool = new Piscina({
    filename,
    name: 'countTexts',
    minThreads: 0,
    maxThreads: options.threads ?? Math.max(1, availableParallelism() - 1),
    idleTimeout: 30_000,
  });
  // A worker that dies outside a task (it failed to start, say) is reported here; unheard, it would end the process.
  // Its tasks fail on their own and the pool starts another worker.
  pool.on('error', (error: unknown) => options.onError?.(error));
  return {
    async count(encoding, texts) {
      // Even short texts go to a worker: the first count would load the encoding's table (0.3 s) on the event loop.
      if (texts.length === 0) return [];
      return (await pool.run({ encoding, texts } satisfies TokenCountTask)) as number[];
    },
    close: () => pool.destroy(),
  };
}

import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Run from TypeScript source (tests, `tsx`) rather than from the build. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * A worker thread running `script`. From source the entry is a .ts file, which a worker cannot load by itself (tsx
 * hooks a thread's imports only once registered in it): a one-line bootstrap registers tsx, then imports it.
 */
export function startWorker(script: URL, options: WorkerOptions): Worker {
  if (!FROM_SOURCE) return new Worker(fileURLToPath(script), options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(script.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * Runs the store's WAL checkpoints in a worker thread (wal-checkpoint-worker). A checkpoint writes and syncs the
 * database file; run by SQLite on a commit, as by default, it held the event loop up to ~12% of the time under
 * write load.
 */
export class WalCheckpointer {
  /** Settles when the worker has ended, for whatever reason. */
  readonly #exited: Promise<unknown>;

  private constructor(private readonly worker: Worker) {
    this.#exited = once(worker, 'exit').catch(() => undefined);
  }

  static start(filename: string, intervalMs = 1_000): WalCheckpointer {
    const worker = startWorker(new URL(`./wal-checkpoint-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url), {
      workerData: { filename, intervalMs },
    });
    // It must not keep a stopping process alive, and a failure in it must not end the process: SQLite then simply
    // keeps the WAL longer.
    worker.unref();
    worker.on('error', () => undefined);
    return new WalCheckpointer(worker);
  }

  /** A last checkpoint, then the worker ends. */
  async close(): Promise<void> {
    // Held open until it has exited: an unref'd worker alone would let the event loop end while we wait.
    this.worker.ref();
    this.worker.postMessage('close');
    const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    await Promise.race([this.#exited, timeout]);
    await this.worker.terminate();
  }
}

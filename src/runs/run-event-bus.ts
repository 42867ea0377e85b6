import { EventEmitter } from 'node:events';

/** A subscription to one run's "new events were appended" signals. */
export interface RunEventSubscription {
  /**
   * Resolves at the next append after the previous call (or after subscribing), so an append that
   * happens between reading the log and waiting is never missed. Rejects if `signal` aborts.
   */
  next(signal?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Tells stream readers that a run's event log grew. In-process for the embedded store; a
 * multi-process store feeds it from its own notifications (e.g. Postgres LISTEN/NOTIFY).
 */
export class RunEventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open stream; thousands of concurrent streams are expected.
    this.#emitter.setMaxListeners(0);
  }

  notify(runId: string): void {
    this.#emitter.emit(runId);
  }

  subscribe(runId: string): RunEventSubscription {
    let pending = false;
    let wake: (() => void) | undefined;
    const listener = () => {
      pending = true;
      wake?.();
    };
    this.#emitter.on(runId, listener);
    return {
      next: (signal) =>
        new Promise<void>((resolve, reject) => {
          if (pending) {
            pending = false;
            resolve();
            return;
          }
          if (signal?.aborted) {
            reject(signal.reason);
            return;
          }
          const onAbort = () => {
            wake = undefined;
            reject(signal!.reason);
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          wake = () => {
            wake = undefined;
            pending = false;
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
        }),
      close: () => {
        this.#emitter.off(runId, listener);
        wake = undefined;
      },
    };
  }
}

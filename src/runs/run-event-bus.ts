import { EventEmitter } from 'node:events';
import type { RunEventRecord } from '../store/run-repository.js';

/** What arrived since the subscriber last took: the appended events, or word that it must reread the log. */
export interface RunEventDelivery {
  records: RunEventRecord[];
  /** An append was announced without its events (or too many piled up): read the log instead. */
  reread: boolean;
}

/** A subscription to one run's appended events. */
export interface RunEventSubscription {
  /**
   * Resolves once something arrived after the previous `take` (or after subscribing), so an append
   * that happens between reading the log and waiting is never missed. Rejects if `signal` aborts.
   */
  next(signal?: AbortSignal): Promise<void>;
  take(): RunEventDelivery;
  close(): void;
}

/** Deliveries beyond this fall back to a log read, so a stalled reader cannot hold unbounded memory. */
const MAX_BUFFERED = 1000;

/**
 * Hands appended run events to the streams following that run, so a live stream needs no log read
 * per event. Writers pass the records they committed; an announcement without records makes
 * subscribers reread the log. In-process for the embedded store; a multi-process store feeds it from
 * its own notifications (e.g. Postgres LISTEN/NOTIFY, announcing without records).
 */
export class RunEventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open stream; thousands of concurrent streams are expected.
    this.#emitter.setMaxListeners(0);
  }

  notify(runId: string, records?: readonly RunEventRecord[]): void {
    this.#emitter.emit(runId, records);
  }

  /** Every subscriber rereads the log: announcements may have been lost (a notification connection dropped). */
  notifyAll(): void {
    for (const runId of this.#emitter.eventNames()) this.#emitter.emit(runId, undefined);
  }

  subscribe(runId: string): RunEventSubscription {
    let buffered: RunEventRecord[] = [];
    let reread = false;
    let wake: (() => void) | undefined;
    const listener = (records: readonly RunEventRecord[] | undefined) => {
      if (records === undefined || buffered.length + records.length > MAX_BUFFERED) reread = true;
      else buffered.push(...records);
      wake?.();
    };
    this.#emitter.on(runId, listener);
    const ready = () => reread || buffered.length > 0;
    return {
      next: (signal) =>
        new Promise<void>((resolve, reject) => {
          if (ready()) {
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
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
        }),
      take: () => {
        const delivery = { records: reread ? [] : buffered, reread };
        buffered = [];
        reread = false;
        return delivery;
      },
      close: () => {
        this.#emitter.off(runId, listener);
        wake = undefined;
      },
    };
  }
}

import { nowSeconds } from '../ids.js';
import type { Logger } from '../logger.js';
import { ClaimPump } from '../queue/claim-pump.js';
import type { StoredRun } from '../store/run-repository.js';
import { startRun } from './run-execution.js';
import { type AbortReason, executeRun, type RunLoopDependencies } from './run-loop.js';
import { expireRun, recoverRun } from './run-recovery.js';
import type { RunScheduler } from './run-scheduler.js';

export interface RunWorkerSettings {
  /** Runs executed at once by this process (they mostly wait on the upstream, so this can be high). */
  concurrency: number;
  /** How long a claimed run stays ours without renewal, in ms. */
  leaseMs: number;
  /** How often leases are renewed and waiting runs checked for expiry, in ms. */
  sweepIntervalMs: number;
  /**
   * True when this process is the only worker on the store (the embedded SQLite default): every run
   * left executing by an earlier process is then known to be orphaned at start-up, whatever its lease says.
   */
  soleWorker: boolean;
  /** Names this worker in the leases it holds (unique per process). */
  owner: string;
}

/**
 * Claims queued runs from the store and executes them, up to `concurrency` at once. Holds a lease
 * on each, renewed periodically, so other workers (or a restart) can tell a live run from an orphan.
 * `wake()` is called when work arrives; a periodic sweep also catches runs queued elsewhere.
 */
export class RunWorker implements RunScheduler {
  readonly owner: string;
  readonly #pump: ClaimPump<StoredRun>;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: RunLoopDependencies,
    private readonly settings: RunWorkerSettings,
    private readonly log: Logger,
  ) {
    this.owner = settings.owner;
    this.#pump = new ClaimPump<StoredRun>(
      {
        claim: () => {
          const now = Date.now();
          // A sole worker knows every other owner is a previous, dead process.
          // Claimed and started (queued → in_progress) in one transaction.
          return deps.writer.claim(
            this.owner,
            now + settings.leaseMs,
            settings.soleWorker ? Number.MAX_SAFE_INTEGER : now,
            startRun,
          );
        },
        work: (stored, signal) => executeRun(deps, stored, signal),
        release: (stored) => deps.store.runs.releaseLease(stored.run.id, this.owner),
        key: (stored) => stored.run.id,
        onError: (error, runId) =>
          log.error({ err: error, runId }, runId ? 'run execution failed' : 'claiming queued runs failed'),
      },
      settings.concurrency,
    );
  }

  async start(): Promise<void> {
    await this.#recoverOrphans(this.settings.soleWorker ? Number.MAX_SAFE_INTEGER : Date.now());
    await this.#expireWaiting();
    this.#timer = setInterval(() => void this.#sweep(), this.settings.sweepIntervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Stops claiming, aborts what is executing (those runs end `failed`), and waits for them to settle. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#pump.stop('shutdown' satisfies AbortReason);
  }

  wake(): void {
    this.#pump.wake();
  }

  cancel(runId: string): void {
    this.#pump.abort(runId, 'cancel' satisfies AbortReason);
  }

  async #sweep(): Promise<void> {
    try {
      const executing = this.#pump.keys();
      await this.deps.store.runs.renewLeases(this.owner, executing, Date.now() + this.settings.leaseMs);
      // A cancel asked for through another process reaches us by signal; should that be lost, the store says so.
      for (const runId of await this.deps.store.runs.cancelling(executing)) this.cancel(runId);
      await this.#recoverOrphans(Date.now());
      await this.#expireWaiting();
      this.wake();
    } catch (error) {
      this.log.error({ err: error }, 'run sweep failed');
    }
  }

  /** Runs whose worker died mid-execution end `failed` (or `cancelled` if that was asked for). */
  async #recoverOrphans(now: number): Promise<void> {
    for (const orphan of await this.deps.store.runs.orphaned(now)) {
      if (this.#pump.has(orphan.run.id)) continue;
      this.log.warn({ runId: orphan.run.id }, 'recovering a run whose worker stopped');
      await recoverRun(this.deps, orphan);
    }
  }

  async #expireWaiting(): Promise<void> {
    for (const waiting of await this.deps.store.runs.expired(nowSeconds())) {
      if (this.#pump.has(waiting.run.id)) continue;
      await expireRun(this.deps, waiting);
    }
  }
}

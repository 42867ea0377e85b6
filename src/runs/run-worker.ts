import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { nowSeconds } from '../ids.js';
import type { RunScheduler } from '../services/runs.js';
import type { StoredRun } from '../store/run-repository.js';
import { recoverRun, expireRun } from './run-recovery.js';
import { executeRun, type AbortReason, type RunLoopDependencies } from './run-loop.js';

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
}

/**
 * Claims queued runs from the store and executes them, up to `concurrency` at once. Holds a lease
 * on each, renewed periodically, so other workers (or a restart) can tell a live run from an orphan.
 * `wake()` is called when work arrives; a periodic sweep also catches runs queued elsewhere.
 */
export class RunWorker implements RunScheduler {
  readonly owner = `worker-${randomUUID()}`;
  readonly #active = new Map<string, AbortController>();
  readonly #running = new Set<Promise<void>>();
  #pumping = false;
  #pumpAgain = false;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: RunLoopDependencies,
    private readonly settings: RunWorkerSettings,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#recoverOrphans(this.settings.soleWorker ? Number.MAX_SAFE_INTEGER : Date.now());
    await this.#expireWaiting();
    this.#timer = setInterval(() => void this.#sweep(), this.settings.sweepIntervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Stops claiming, aborts what is executing (those runs end `failed`), and waits for them to settle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const controller of this.#active.values()) controller.abort('shutdown' satisfies AbortReason);
    await Promise.allSettled([...this.#running]);
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    void this.#pump();
  }

  cancel(runId: string): void {
    this.#active.get(runId)?.abort('cancel' satisfies AbortReason);
  }

  get activeRuns(): number {
    return this.#active.size;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (!this.#stopped && this.#active.size < this.settings.concurrency) {
          const now = Date.now();
          // A sole worker knows every other owner is a previous, dead process.
          const claimed = await this.deps.store.runs.claimQueued(this.owner, now + this.settings.leaseMs, this.settings.soleWorker ? Number.MAX_SAFE_INTEGER : now);
          if (!claimed) break;
          this.#execute(claimed);
        }
      } while (this.#pumpAgain && !this.#stopped);
    } catch (error) {
      this.log.error({ err: error }, 'claiming queued runs failed');
    } finally {
      this.#pumping = false;
    }
  }

  #execute(stored: StoredRun): void {
    const runId = stored.run.id;
    const controller = new AbortController();
    this.#active.set(runId, controller);
    const running = executeRun(this.deps, stored, controller.signal)
      .catch((error: unknown) => this.log.error({ err: error, runId }, 'run execution failed'))
      .finally(async () => {
        this.#active.delete(runId);
        this.#running.delete(running);
        await this.deps.store.runs.releaseLease(runId, this.owner).catch(() => undefined);
        this.wake();
      });
    this.#running.add(running);
  }

  async #sweep(): Promise<void> {
    try {
      await this.deps.store.runs.renewLeases(this.owner, [...this.#active.keys()], Date.now() + this.settings.leaseMs);
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
      if (this.#active.has(orphan.run.id)) continue;
      this.log.warn({ runId: orphan.run.id }, 'recovering a run whose worker stopped');
      await recoverRun(this.deps, orphan);
    }
  }

  async #expireWaiting(): Promise<void> {
    for (const waiting of await this.deps.store.runs.expired(nowSeconds())) {
      if (this.#active.has(waiting.run.id)) continue;
      await expireRun(this.deps, waiting);
    }
  }
}

import type { Logger } from '../../logger.js';
import type { FileSearchIndex, MissingVector } from '../../store/file-search-index.js';
import type { MonitoredEmbeddingModel } from './embedding-monitor.js';
import { describeCause } from './extraction-error.js';

export interface VectorBackfillSettings {
  /** Chunks embedded per provider call. */
  batchSize: number;
  /** First wait after a failure; it doubles up to `maxDelayMs` while failures go on. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** A short text whose embedding tells whether the provider answers. */
const PROBE_TEXT = 'file search health check';

/**
 * Fills in the vectors of chunks indexed while the embedding provider could not be reached (the index
 * lists them durably, so a restart resumes the work). It runs at start-up, where its first call doubles
 * as the check that logs whether the provider is reachable, and whenever ingestion leaves chunks without
 * vectors or the provider is found unreachable. While calls fail it retries with exponential backoff,
 * probing with a short text when no chunk waits, so that search uses vectors again once it answers.
 */
export class VectorBackfill {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #delayMs: number;
  #stopped = false;
  #lastRefusal = '';
  readonly #abort = new AbortController();

  constructor(
    private readonly index: FileSearchIndex,
    private readonly embeddings: MonitoredEmbeddingModel,
    private readonly settings: VectorBackfillSettings,
    private readonly log: Logger,
  ) {
    this.#delayMs = settings.initialDelayMs;
    embeddings.onChange((state) => {
      if (state === 'unreachable') this.wake();
    });
  }

  start(): void {
    this.wake();
  }

  /** Runs soon, unless a retry is already scheduled (its backoff is kept). */
  wake(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort.abort(new Error('shutting down'));
    await this.#running;
  }

  async #run(): Promise<void> {
    let filled = 0;
    try {
      for (;;) {
        if (this.#stopped) return;
        const missing = await this.index.chunksMissingVectors(this.settings.batchSize);
        if (missing.length === 0) break;
        await this.#fill(missing);
        filled += missing.length;
      }
      if (this.embeddings.state !== 'reachable') await this.embeddings.attempt([PROBE_TEXT], this.#abort.signal);
      this.#delayMs = this.settings.initialDelayMs;
    } catch {
      if (!this.#stopped) this.#retryLater();
    } finally {
      if (filled > 0)
        this.log.info({ chunks: filled }, `filled in the vectors of ${filled} chunks indexed without them`);
    }
  }

  async #fill(missing: readonly MissingVector[]): Promise<void> {
    try {
      const texts = missing.map((chunk) => chunk.text);
      const vectors = await this.embeddings.attempt(texts, this.#abort.signal, { recordFailure: false });
      await this.index.addVectors(
        missing.map((chunk, position) => ({ chunkId: chunk.chunkId, embedding: vectors[position]! })),
      );
    } catch (error) {
      if (this.#stopped) throw error;
      await this.index.deferVectors(missing.map((chunk) => chunk.chunkId));
      // The provider, or these chunks? A probe tells, and records the provider's state (logged on change).
      await this.embeddings.attempt([PROBE_TEXT], this.#abort.signal);
      this.#warnRefused(missing.length, error);
      throw error;
    }
  }

  /** The provider answers but refuses these chunks: said once per reason, retried later with the others. */
  #warnRefused(count: number, error: unknown): void {
    const reason = describeCause(error);
    if (reason === this.#lastRefusal) return;
    this.#lastRefusal = reason;
    this.log.warn(
      { chunks: count, reason },
      `the embedding provider refused ${count} chunks (${reason}); they stay keyword-only until a retry succeeds`,
    );
  }

  #retryLater(): void {
    const delayMs = this.#delayMs;
    this.#delayMs = Math.min(this.settings.maxDelayMs, this.#delayMs * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.wake();
    }, delayMs);
    this.#timer.unref();
  }
}

import type { Logger } from '../../logger.js';
import type { EmbeddingModel } from '../../providers/index.js';
import { describeCause } from './extraction-error.js';

export type EmbeddingProviderState = 'unknown' | 'reachable' | 'unreachable';

export interface EmbeddingMonitorSettings {
  /** An embedding call taking longer than this counts as a failure. */
  timeoutMs: number;
}

/** Thrown at once, without a call, while the provider is known to be unreachable. */
export class EmbeddingsUnavailableError extends Error {
  constructor(reason: string) {
    super(`The embedding provider is unreachable: ${reason}`);
    this.name = 'EmbeddingsUnavailableError';
  }
}

/**
 * An embedding model that knows whether its provider answers. Every call is bounded by a timeout and
 * its outcome recorded; while the provider is unreachable, `embed` fails at once instead of making each
 * search and each ingested batch wait for a timeout, and only `attempt` (the vector backfill's retries)
 * calls it, which is how its return is noticed. Each change of state is logged once.
 */
export class MonitoredEmbeddingModel implements EmbeddingModel {
  readonly modelId: string;
  readonly dimensions: number;
  #state: EmbeddingProviderState = 'unknown';
  #reason = '';
  readonly #listeners = new Set<(state: EmbeddingProviderState) => void>();

  constructor(
    private readonly inner: EmbeddingModel,
    private readonly settings: EmbeddingMonitorSettings,
    private readonly log: Logger,
  ) {
    this.modelId = inner.modelId;
    this.dimensions = inner.dimensions;
  }

  get state(): EmbeddingProviderState {
    return this.#state;
  }

  /** Calls `listener` on every change of state. */
  onChange(listener: (state: EmbeddingProviderState) => void): void {
    this.#listeners.add(listener);
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (this.#state === 'unreachable') throw new EmbeddingsUnavailableError(this.#reason);
    return this.attempt(texts, signal);
  }

  /**
   * Calls the provider whatever its state; a success makes it reachable again. With `recordFailure: false`
   * a failure leaves the state alone (the caller finds out with a probe whether the provider or its input
   * was at fault).
   */
  async attempt(
    texts: readonly string[],
    signal?: AbortSignal,
    options: { recordFailure?: boolean } = {},
  ): Promise<number[][]> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const vectors = await this.inner.embed(texts, signal ? AbortSignal.any([signal, timeout]) : timeout);
      this.#change('reachable', '');
      return vectors;
    } catch (error) {
      // The caller gave up (a cancelled run, a shutdown): that says nothing about the provider.
      if (signal?.aborted === true) throw error;
      if (options.recordFailure !== false)
        this.#change('unreachable', describeFailure(error, timeout, this.settings.timeoutMs));
      throw error;
    }
  }

  #change(state: EmbeddingProviderState, reason: string): void {
    this.#reason = reason;
    if (state === this.#state) return;
    this.#state = state;
    const details = { embeddingModel: this.modelId, embeddingProvider: state };
    if (state === 'reachable') {
      this.log.info(
        details,
        `embedding provider reachable (${this.modelId}): file_search uses keyword and vector search`,
      );
    } else {
      this.log.warn(
        { ...details, reason },
        `embedding provider unreachable (${this.modelId}: ${reason}): files are still ingested and searched by ` +
          'keywords; their vectors are filled in when the provider answers again (retried with backoff)',
      );
    }
    for (const listener of this.#listeners) listener(state);
  }
}

/** Why an embedding call failed, in one short line. */
export function describeFailure(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  return timeout.aborted ? `no answer within ${timeoutMs} ms` : describeCause(error);
}

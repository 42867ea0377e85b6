import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatModel, ChatRequest, ChatStreamPart } from './chat-model.js';
import { ProviderError } from './provider-error.js';

export interface RetryOptions {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Give up on an attempt (code `timeout`, retryable) when it has produced no part this long after it
   * started. Catches upstreams that accept the connection and then say nothing.
   */
  readonly firstPartTimeoutMs?: number;
  /** Called before each wait, e.g. to log. */
  readonly onRetry?: (error: ProviderError, attempt: number, delayMs: number) => void;
}

/**
 * Streams from `model`, retrying retryable `ProviderError`s with exponential backoff, but only while nothing
 * has been yielded: once a part has reached the caller, a retry would repeat output, so errors propagate.
 * Aborting `signal` stops both the attempt and any wait, and throws the signal's reason.
 */
export async function* streamWithRetry(
  model: ChatModel,
  request: ChatRequest,
  signal: AbortSignal,
  options: RetryOptions,
): AsyncGenerator<ChatStreamPart> {
  for (let attempt = 0; ; attempt += 1) {
    const attemptController = new AbortController();
    const attemptSignal = AbortSignal.any([signal, attemptController.signal]);
    const iterator = model.stream(request, attemptSignal)[Symbol.asyncIterator]();
    let first: IteratorResult<ChatStreamPart>;
    const timer = armFirstPartTimeout(attemptController, options.firstPartTimeoutMs);
    try {
      first = await iterator.next();
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      // A model that does not map aborts itself would surface our timeout as a bare AbortError.
      const timedOut = attemptController.signal.aborted && !signal.aborted;
      const error: unknown = timedOut ? attemptController.signal.reason : thrown;
      const delayMs = retryDelay(error, attempt, signal, options);
      if (delayMs === undefined) throw error;
      options.onRetry?.(error as ProviderError, attempt + 1, delayMs);
      await sleep(delayMs, undefined, { signal }).catch(() => {
        throw signal.reason;
      });
      continue;
    } finally {
      clearTimeout(timer);
    }
    try {
      if (first.done === true) return;
      yield first.value;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
      return;
    } finally {
      await iterator.return?.();
    }
  }
}

function armFirstPartTimeout(controller: AbortController, timeoutMs: number | undefined): NodeJS.Timeout | undefined {
  if (timeoutMs === undefined) return undefined;
  return setTimeout(() => {
    const message = `Upstream model provider sent nothing within ${timeoutMs} ms`;
    controller.abort(new ProviderError('timeout', message, { retryable: true }));
  }, timeoutMs);
}

/** How long to wait before the next attempt, or `undefined` when the error must propagate. */
function retryDelay(error: unknown, attempt: number, signal: AbortSignal, options: RetryOptions): number | undefined {
  if (signal.aborted || !(error instanceof ProviderError) || !error.retryable) return undefined;
  if (attempt >= options.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) {
    // Retrying sooner than the upstream asked only earns another 429; waiting longer than allowed is worse.
    return error.retryAfterMs <= options.maxDelayMs ? error.retryAfterMs : undefined;
  }
  return Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
}

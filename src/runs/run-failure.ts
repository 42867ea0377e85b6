import type { Run } from '../api/types.js';
import { ProviderError, TokenCountUnavailableError } from '../providers/index.js';

export type RunLastError = NonNullable<Run['last_error']>;

/** Why a run stopped early, as `last_error` says it; only these three codes exist in the contract. */
export function toLastError(error: unknown): RunLastError {
  if (error instanceof ProviderError) {
    const code =
      error.code === 'rate_limit_exceeded'
        ? 'rate_limit_exceeded'
        : error.code === 'invalid_prompt'
          ? 'invalid_prompt'
          : 'server_error';
    return { code, message: error.message };
  }
  if (error instanceof RunFailure) return { code: error.code, message: error.message };
  // The server's own fault, but one the operator must hear about in words (a broken install, say).
  if (error instanceof TokenCountUnavailableError) return { code: 'server_error', message: error.message };
  return { code: 'server_error', message: 'The server had an error while processing the run.' };
}

/** A failure the engine itself decides on (step cap, context that cannot fit, ...). */
export class RunFailure extends Error {
  constructor(
    readonly code: RunLastError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'RunFailure';
  }
}

/** Someone else changed the run's status while it was executing (a cancel request, an expiry). */
export class RunInterrupted extends Error {
  constructor(readonly status?: Run['status']) {
    super(status === undefined ? 'the run is no longer in progress' : `run is ${status}`);
    this.name = 'RunInterrupted';
  }
}

import { ProviderError } from '../providers/index.js';

export interface QuietUpstreamWatchdog {
  /** Aborts when the run's own signal does, or when the upstream has been quiet too long. */
  readonly signal: AbortSignal;
  /** A stream part arrived: the upstream gets another `timeoutMs` to send the next one. */
  heard(): void;
  stop(): void;
}

/**
 * Hangs up on an upstream that stops sending mid-response. Before the first part, `streamWithRetry`'s
 * own first-part timeout applies (and retries); once output has reached the run a retry would repeat it,
 * so a silence this long fails the turn instead (a `timeout` ProviderError as the abort reason).
 * Without it, a stalled connection would keep the run `in_progress` for ever.
 */
export function quietUpstreamWatchdog(runSignal: AbortSignal, timeoutMs: number | undefined): QuietUpstreamWatchdog {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  return {
    signal: AbortSignal.any([runSignal, controller.signal]),
    heard() {
      if (timeoutMs === undefined) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        controller.abort(
          new ProviderError(
            'timeout',
            `Upstream model provider sent nothing for ${timeoutMs} ms in the middle of its response`,
          ),
        );
      }, timeoutMs);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

import assert from 'node:assert/strict';

/** A check's answer meaning "not yet". */
type NotYet = undefined | null | false;

export interface PollOptions {
  /** What is awaited, for the failure message; a function is called at failure time to describe the last state. */
  what: string | (() => string);
  /** Default 10 s: generous, because the machine running the suite may be busy. */
  timeoutMs?: number;
  /** Pause between checks. */
  intervalMs?: number;
}

/**
 * Calls `check` (sync or async) until it answers something other than `undefined`, `null` or `false`, and
 * returns that answer; fails the test once `timeoutMs` has passed. For effects a server makes on its own
 * after a response (a sweep, a background worker), where there is no event to await.
 */
export async function pollUntil<T>(check: () => T | Promise<T>, options: PollOptions): Promise<Exclude<T, NotYet>> {
  const { timeoutMs = 10_000, intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer !== undefined && answer !== null && answer !== false) return answer as Exclude<T, NotYet>;
    if (Date.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : options.what;
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A time budget that only runs while a task is working: paused while the server handles what the
 * task sent (database writes, embedding calls), so a slow provider never counts against a file, and a
 * process stuck in a parser always does. Calls `onExpired` once when the budget is spent.
 */
export class TaskClock {
  #remainingMs: number;
  #startedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #done = false;
  #onFirstRun: (() => void) | undefined;

  constructor(
    budgetMs: number,
    private readonly onExpired: () => void,
  ) {
    this.#remainingMs = budgetMs;
  }

  /** Calls `listener` when the clock first runs (the task has started). */
  onRun(listener: () => void): void {
    this.#onFirstRun = listener;
  }

  /** Starts or resumes the clock. */
  run(): void {
    if (this.#done || this.#startedAt !== undefined) return;
    this.#onFirstRun?.();
    this.#onFirstRun = undefined;
    this.#startedAt = performance.now();
    this.#timer = setTimeout(() => {
      this.#done = true;
      this.onExpired();
    }, this.#remainingMs);
  }

  pause(): void {
    if (this.#startedAt === undefined) return;
    clearTimeout(this.#timer);
    this.#remainingMs -= performance.now() - this.#startedAt;
    this.#startedAt = undefined;
  }

  stop(): void {
    this.pause();
    this.#done = true;
  }
}

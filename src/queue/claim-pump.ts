/** Where a pump's items come from and how each is worked on. */
export interface ClaimPumpSource<T> {
  /** Takes the next waiting item (e.g. under a lease), or undefined when none waits. */
  claim(): Promise<T | undefined>;
  /** Works on one claimed item until it is done; `signal` aborts it with a reason. */
  work(item: T, signal: AbortSignal): Promise<void>;
  /** Called once an item's work has settled (to release its lease). */
  release(item: T): Promise<void>;
  key(item: T): string;
  onError(error: unknown, key: string | undefined): void;
}

/**
 * Claims items from a durable queue and works on up to `concurrency` at once. `wake()` is cheap
 * and may be called on every enqueue: pumps never overlap, and a wake during a pump runs it again.
 * Shared by the run worker and the file ingestion worker.
 */
export class ClaimPump<T> {
  readonly #active = new Map<string, AbortController>();
  readonly #running = new Set<Promise<void>>();
  #pumping = false;
  #pumpAgain = false;
  #stopped = false;

  constructor(
    private readonly source: ClaimPumpSource<T>,
    private readonly concurrency: number,
  ) {}

  wake(): void {
    if (this.#stopped) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    void this.#pump();
  }

  /** Aborts one item's work, if it is being worked on here. */
  abort(key: string, reason: unknown): void {
    this.#active.get(key)?.abort(reason);
  }

  has(key: string): boolean {
    return this.#active.has(key);
  }

  keys(): string[] {
    return [...this.#active.keys()];
  }

  get size(): number {
    return this.#active.size;
  }

  /** Resolves when nothing is being worked on. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Stops claiming, aborts all work with `reason`, and waits for it to settle. */
  async stop(reason: unknown): Promise<void> {
    this.#stopped = true;
    for (const controller of this.#active.values()) controller.abort(reason);
    await this.idle();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (!this.#stopped && this.#active.size < this.concurrency) {
          const item = await this.source.claim();
          if (item === undefined) break;
          this.#start(item);
        }
      } while (this.#pumpAgain && !this.#stopped);
    } catch (error) {
      this.source.onError(error, undefined);
    } finally {
      this.#pumping = false;
    }
  }

  #start(item: T): void {
    const key = this.source.key(item);
    const controller = new AbortController();
    this.#active.set(key, controller);
    const running = this.source
      .work(item, controller.signal)
      .catch((error: unknown) => this.source.onError(error, key))
      .finally(async () => {
        this.#active.delete(key);
        this.#running.delete(running);
        await this.source.release(item).catch((error: unknown) => this.source.onError(error, key));
        this.wake();
      });
    this.#running.add(running);
  }
}

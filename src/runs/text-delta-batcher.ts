/**
 * Writes a message's streamed text chunks with at most one write in flight: chunks that arrive while a write
 * is committing go out together in the next one, each still its own delta event. A model that streams faster
 * than the store commits (a burst of chunks the socket had buffered) then costs one transaction per batch
 * instead of one per chunk, and the stream keeps up with the model; a slower model still gets each chunk
 * written as it arrives. A batch holds at most BATCH_LIMIT chunks: past that, the model's stream waits for the
 * write in flight, so a long burst reaches the client batch by batch and the event loop is never held for it.
 */
const BATCH_LIMIT = 32;

export class TextDeltaBatcher {
  #pending: string[] = [];
  #writing: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  constructor(private readonly write: (chunks: readonly string[]) => Promise<void>) {}

  /**
   * Queues a chunk, written at once or with the next batch; waits for the write in flight when a full batch is
   * queued. Rejects with the failure of an earlier write.
   */
  async push(chunk: string): Promise<void> {
    if (this.#failure) throw this.#failure.error;
    this.#pending.push(chunk);
    this.#writing ??= this.#writeAll();
    if (this.#pending.length >= BATCH_LIMIT) await this.flush();
  }

  /** Resolves once every queued chunk is written; rejects with a write's failure (e.g. the run was interrupted). */
  async flush(): Promise<void> {
    await this.#writing;
    if (this.#failure) throw this.#failure.error;
  }

  async #writeAll(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const chunks = this.#pending;
        this.#pending = [];
        await this.write(chunks);
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#writing = undefined;
    }
  }
}

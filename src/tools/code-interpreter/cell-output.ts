/**
 * Collects one cell's output from the kernel's stdout pipe: keeps at most `limitBytes`, drops the
 * rest (while still reading it, so the kernel never blocks on a full pipe), and notices the end-of-cell
 * marker even when it arrives split across chunks.
 */
export class CellOutput {
  readonly #marker: Buffer;
  readonly #limitBytes: number;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;
  #droppedBytes = 0;
  /** The last bytes seen, held back because they could be the start of the marker. */
  #pending: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(marker: string, limitBytes: number) {
    this.#marker = Buffer.from(marker, 'ascii');
    this.#limitBytes = limitBytes;
  }

  /** Whether the marker has been seen: everything the cell wrote to the pipe is here. */
  get ended(): boolean {
    return this.#ended;
  }

  get truncated(): boolean {
    return this.#droppedBytes > 0;
  }

  /** Feeds a chunk from the pipe. Bytes after the marker belong to no cell and are ignored. */
  push(chunk: Buffer): void {
    if (this.#ended) return;
    const window = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    const markerAt = window.indexOf(this.#marker);
    if (markerAt >= 0) {
      this.#keep(window.subarray(0, markerAt));
      this.#pending = Buffer.alloc(0);
      this.#ended = true;
      return;
    }
    const holdBack = Math.min(window.length, this.#marker.length - 1);
    this.#keep(window.subarray(0, window.length - holdBack));
    this.#pending = Buffer.from(window.subarray(window.length - holdBack));
  }

  /** The output as text; call once the cell is over (held-back bytes are output too if no marker came). */
  text(): string {
    if (this.#pending.length > 0) {
      this.#keep(this.#pending);
      this.#pending = Buffer.alloc(0);
    }
    return Buffer.concat(this.#kept).toString('utf8');
  }

  #keep(bytes: Buffer): void {
    const room = this.#limitBytes - this.#keptBytes;
    if (bytes.length <= room) {
      this.#kept.push(Buffer.from(bytes));
      this.#keptBytes += bytes.length;
      return;
    }
    if (room > 0) this.#kept.push(Buffer.from(bytes.subarray(0, room)));
    this.#keptBytes += Math.max(room, 0);
    this.#droppedBytes += bytes.length - Math.max(room, 0);
  }
}

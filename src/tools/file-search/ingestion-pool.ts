import { availableParallelism } from 'node:os';
import type { IndexedChunk } from '../../store/file-search-index.js';
import type { ChunkingLimits } from './chunking-strategy.js';
import { ExtractionError } from './extraction-error.js';
import { DEFAULT_EXTRACTION_LIMITS, type ExtractionLimits, formatCount } from './extraction-limits.js';
import { ChildExited, IngestChild } from './ingest-child.js';
import type { BatchReply, ExtractTask, IngestTask, TaskFile, TaskMessage } from './ingest-protocol.js';
import { TaskClock } from './task-clock.js';

export interface IngestionPoolSettings {
  /** Processes extracting and chunking at once (default: one per core but one, at least one). */
  processes: number;
  /** Time one file may spend in its process, not counting the server's writes and embedding calls. */
  taskTimeoutMs: number;
  /** Heap one process may use; a file that needs more fails and its process is replaced. */
  taskMemoryMb: number;
  limits: ExtractionLimits;
  /** A process idle this long exits, giving its memory back. */
  idleTimeoutMs: number;
}

/** A stored file for the pool to read. */
export type PoolSource = Omit<TaskFile, 'limits'>;

/** One file for the pool to ingest. */
export interface PoolFile extends PoolSource {
  chunking: ChunkingLimits;
}

/** A file's whole text, extracted by the pool. */
export interface PoolText {
  format: string;
  text: string;
}

export interface PoolOutcome {
  format: string;
  chunkCount: number;
  /** The handler answered `stop`: the file is no longer wanted. */
  stopped: boolean;
}

/** Writes one batch; answers whether the process should go on. */
export type ChunkBatchHandler = (chunks: IndexedChunk[]) => Promise<BatchReply>;

const BATCH_CHUNKS = 64;
/** Characters per message of extracted text: a message this size decodes in about a millisecond. */
const TEXT_PIECE_CHARACTERS = 1024 * 1024;
/** How long a process may take to take up its task (starting Node and loading the parsers takes ~1 s). */
const STARTUP_TIMEOUT_MS = 60_000;
/** The `format` of an `ExtractionError` for a file over the pool's time or memory limit. */
const OVER_POOL_LIMIT = 'limit';

/** The file needed more time or memory than the pool gives a file (rather than breaking a cap or being unreadable). */
export function exceededPoolLimit(error: unknown): boolean {
  return error instanceof ExtractionError && error.format === OVER_POOL_LIMIT;
}

export function defaultIngestionProcesses(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Child processes that turn files into indexed chunks (or just into text, for the content endpoint), so
 * extraction and chunking never block the event loop that serves requests. Each file runs under a time
 * budget and a heap limit; a file over either fails with an `ExtractionError` that says so, and its
 * process is killed and replaced, which gives all its memory back. Processes, not worker threads: V8 ends
 * the whole process when a heap runs out in some paths (measured with worker `resourceLimits` on Node 20:
 * a DOCX parser over its limit killed the server), and a process is the unit the system can reclaim. Idle
 * processes exit after a while.
 */
export class IngestionPool {
  readonly #settings: IngestionPoolSettings;
  readonly #idle: IngestChild[] = [];
  readonly #waiting: Array<() => void> = [];
  readonly #idleTimers = new Map<IngestChild, NodeJS.Timeout>();
  #busy = 0;
  #closed = false;

  constructor(settings: Partial<IngestionPoolSettings> = {}) {
    this.#settings = {
      processes: settings.processes ?? defaultIngestionProcesses(),
      taskTimeoutMs: settings.taskTimeoutMs ?? 300_000,
      taskMemoryMb: settings.taskMemoryMb ?? 1024,
      limits: settings.limits ?? DEFAULT_EXTRACTION_LIMITS,
      idleTimeoutMs: settings.idleTimeoutMs ?? 60_000,
    };
  }

  /**
   * Extracts and chunks `file` in a process, handing each batch of chunks to `onChunks` in order.
   * Throws `ExtractionError` when the file cannot be read or exceeds a limit; `signal` abandons it.
   */
  async ingest(file: PoolFile, onChunks: ChunkBatchHandler, signal?: AbortSignal): Promise<PoolOutcome> {
    return this.#run('Extracting and chunking the file', signal, async (child, clock) => {
      const batches = new BatchQueue(child, clock, onChunks);
      try {
        const task: IngestTask = { kind: 'ingest', ...file, limits: this.#settings.limits, batchChunks: BATCH_CHUNKS };
        const result = await child.run(task, (message) => batches.receive(message));
        await batches.settled();
        if (!result.ok) throw new ExtractionError(result.message, result.format);
        return { format: result.format, chunkCount: result.chunkCount, stopped: result.stopped };
      } catch (error) {
        await batches.settled().catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * The whole text of `file`, extracted in a process under the same limits as ingestion, so that reading
   * a file's content never blocks the event loop. Throws `ExtractionError` when the file cannot be read
   * or exceeds a limit (`exceededPoolLimit` tells the pool's time and memory limits apart).
   */
  async extract(file: PoolSource, signal?: AbortSignal): Promise<PoolText> {
    return this.#run("Extracting the file's text", signal, async (child, clock) => {
      const task: ExtractTask = {
        kind: 'extract',
        ...file,
        limits: this.#settings.limits,
        pieceCharacters: TEXT_PIECE_CHARACTERS,
      };
      const pieces: string[] = [];
      const result = await child.run(task, (message) => {
        if (message.type === 'started') clock.run();
        else if (message.type === 'text') pieces.push(message.text);
      });
      if (!result.ok) throw new ExtractionError(result.message, result.format);
      return { format: result.format, text: pieces.join('') };
    });
  }

  /** Ends every process (tasks still running are abandoned). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#idleTimers.values()) clearTimeout(timer);
    for (const child of this.#idle.splice(0)) child.kill();
    for (const wake of this.#waiting.splice(0)) wake();
  }

  /**
   * Runs `work` on a process of its own: under the time limit (which starts when the process takes the
   * task up), killed when `signal` aborts, and its failures described. `what` names the work in messages.
   */
  async #run<T>(
    what: string,
    signal: AbortSignal | undefined,
    work: (child: IngestChild, clock: TaskClock) => Promise<T>,
  ): Promise<T> {
    const child = await this.#acquire(signal);
    let timedOut = false;
    const clock = new TaskClock(this.#settings.taskTimeoutMs, () => {
      timedOut = true;
      child.kill();
    });
    // Starting a process is not the file's time, but one that never starts must not hold the file forever.
    const startup = setTimeout(() => child.kill(), STARTUP_TIMEOUT_MS);
    clock.onRun(() => clearTimeout(startup));
    const onAbort = (): void => child.kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await work(child, clock);
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      throw this.#describe(error, timedOut, what);
    } finally {
      clearTimeout(startup);
      clock.stop();
      signal?.removeEventListener('abort', onAbort);
      this.#giveBack(child);
    }
  }

  #describe(error: unknown, timedOut: boolean, what: string): unknown {
    if (timedOut) {
      return new ExtractionError(
        `${what} took longer than this server's limit of ${formatDuration(this.#settings.taskTimeoutMs)} per file.`,
        OVER_POOL_LIMIT,
      );
    }
    if (error instanceof ChildExited && error.outOfMemory) {
      return new ExtractionError(
        `${what} needed more memory than this server's limit of ${formatCount(this.#settings.taskMemoryMb)} MB ` +
          'per file.',
        OVER_POOL_LIMIT,
      );
    }
    return error;
  }

  /** An idle process, a new one if there is room, or the next one given back. */
  async #acquire(signal: AbortSignal | undefined): Promise<IngestChild> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.#closed) throw new Error('the ingestion pool is closed');
      const idle = this.#idle.pop();
      if (idle) {
        clearTimeout(this.#idleTimers.get(idle));
        this.#idleTimers.delete(idle);
        // One that died while idle (killed by the system) is simply not reused.
        if (!idle.alive) continue;
        this.#busy += 1;
        return idle;
      }
      if (this.#busy < this.#settings.processes) {
        this.#busy += 1;
        return new IngestChild(this.#settings.taskMemoryMb);
      }
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  #giveBack(child: IngestChild): void {
    this.#busy -= 1;
    if (child.alive && !this.#closed) {
      this.#idle.push(child);
      const timer = setTimeout(() => {
        this.#idleTimers.delete(child);
        const index = this.#idle.indexOf(child);
        if (index !== -1) this.#idle.splice(index, 1);
        child.release();
      }, this.#settings.idleTimeoutMs);
      timer.unref();
      this.#idleTimers.set(child, timer);
    } else {
      child.kill();
    }
    this.#waiting.shift()?.();
  }
}

/** `300000` → `300 s`, `1500` → `1,500 ms`. */
function formatDuration(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${formatCount(milliseconds / 1000)} s` : `${formatCount(milliseconds)} ms`;
}

/**
 * The server's side of a task: hands batches to the handler one at a time, in order, with the task's
 * clock paused while any batch waits, and answers each. The first handler error is kept and thrown by
 * `settled()`; the process is told to stop.
 */
class BatchQueue {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;
  #failure: { error: unknown } | undefined;

  constructor(
    private readonly child: IngestChild,
    private readonly clock: TaskClock,
    private readonly onChunks: ChunkBatchHandler,
  ) {}

  receive(message: TaskMessage): void {
    if (message.type === 'started') {
      this.clock.run();
      return;
    }
    if (message.type !== 'chunks') return;
    this.#waiting += 1;
    this.clock.pause();
    this.#tail = this.#tail.then(async () => {
      let reply: BatchReply = 'stop';
      if (!this.#failure) {
        try {
          reply = await this.onChunks(message.chunks);
        } catch (error) {
          this.#failure = { error };
        }
      }
      this.#waiting -= 1;
      if (this.#waiting === 0) this.clock.run();
      this.child.reply(reply);
    });
  }

  /** Resolves once every batch received so far is handled; throws the handler's error if it failed. */
  async settled(): Promise<void> {
    await this.#tail;
    if (this.#failure) throw this.#failure.error;
  }
}

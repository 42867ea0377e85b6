import type { IndexedChunk } from '../../store/file-search-index.js';
import { defaultAnalyzer } from './analyzer.js';
import { type Chunk, TokenChunker } from './chunk.js';
import { ExtractionError, extractTextStream } from './extract.js';
import {
  type BatchReply,
  type IngestTask,
  type IngestTaskResult,
  MAX_BATCHES_IN_FLIGHT,
  type TaskMessage,
} from './ingest-protocol.js';

/** How a task talks to the server: sends progress, hears the answers to its batches. */
export interface TaskChannel {
  send(message: TaskMessage): void;
  onReply(listener: (reply: BatchReply) => void): void;
}

/**
 * Runs in an ingestion process (ingest-process.ts): extracts a file's text, chunks it and analyzes each
 * chunk's keyword terms, the work that grows with the file and would otherwise block the server's event
 * loop. Batches of chunks go to the server over `channel`.
 */
export async function ingestTask(task: IngestTask, taskChannel: TaskChannel): Promise<IngestTaskResult> {
  const channel = new BatchChannel(taskChannel);
  try {
    channel.send({ type: 'started' });
    const input = 'path' in task.source ? { path: task.source.path } : { bytes: task.source.bytes };
    const { format, pieces } = await extractTextStream(
      { ...input, filename: task.filename, mimeType: task.mimeType },
      task.limits,
    );
    const chunker = new TokenChunker(task.chunking, (text) => defaultAnalyzer.terms(text));
    let pending: IndexedChunk[] = [];
    let chunkCount = 0;
    const flush = async (): Promise<boolean> => {
      chunkCount += pending.length;
      const wanted = await channel.sendChunks(pending);
      pending = [];
      return wanted;
    };
    const add = async (chunks: Chunk[]): Promise<boolean> => {
      for (const chunk of chunks) {
        pending.push({ ...chunk, terms: chunk.terms ?? defaultAnalyzer.terms(chunk.text) });
        if (pending.length >= task.batchChunks && !(await flush())) return false;
      }
      return true;
    };
    for await (const piece of pieces) {
      if (!(await add(chunker.push(piece)))) return { ok: true, format, chunkCount, stopped: true };
    }
    if (!(await add(chunker.finish())) || (pending.length > 0 && !(await flush()))) {
      return { ok: true, format, chunkCount, stopped: true };
    }
    // Every batch is answered before the result: the server has written them all.
    const stopped = !(await channel.drain());
    return { ok: true, format, chunkCount, stopped };
  } catch (error) {
    if (error instanceof ExtractionError) return { ok: false, message: error.message, format: error.format };
    throw error;
  }
}

/** The process's side of the conversation: sends batches, at most `MAX_BATCHES_IN_FLIGHT` unanswered. */
class BatchChannel {
  readonly #replies: BatchReply[] = [];
  #waiting: ((reply: BatchReply) => void) | undefined;
  #unanswered = 0;
  #stopped = false;

  constructor(private readonly channel: TaskChannel) {
    channel.onReply((reply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting) waiting(reply);
      else this.#replies.push(reply);
    });
  }

  send(message: TaskMessage): void {
    this.channel.send(message);
  }

  /** Sends a batch; false once the server said the file is no longer wanted. */
  async sendChunks(chunks: IndexedChunk[]): Promise<boolean> {
    if (this.#stopped) return false;
    this.send({ type: 'chunks', chunks });
    this.#unanswered += 1;
    while (this.#unanswered >= MAX_BATCHES_IN_FLIGHT && !this.#stopped) await this.#nextReply();
    return !this.#stopped;
  }

  /** Waits for every answer; false if any said stop. */
  async drain(): Promise<boolean> {
    while (this.#unanswered > 0 && !this.#stopped) await this.#nextReply();
    return !this.#stopped;
  }

  async #nextReply(): Promise<void> {
    const reply = this.#replies.shift() ?? (await new Promise<BatchReply>((resolve) => (this.#waiting = resolve)));
    this.#unanswered -= 1;
    if (reply === 'stop') this.#stopped = true;
  }
}

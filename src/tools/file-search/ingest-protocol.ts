import type { IndexedChunk } from '../../store/file-search-index.js';
import type { ChunkingLimits } from './chunking-strategy.js';
import type { ExtractionLimits } from './extraction-limits.js';

/*
 * What the server and an ingestion process say to each other over the process's IPC channel. A process
 * runs one task at a time, of one of two kinds. `ingest`: the process extracts, chunks and analyzes; the
 * server writes (and embeds) each batch and answers it, so the process never runs more than
 * `MAX_BATCHES_IN_FLIGHT` batches ahead of the database: memory stays bounded on any file. `extract`: the
 * process sends back a file's text in pieces (the vector store file content endpoint), so a hostile file
 * costs that process, never the event loop that serves requests.
 */

/** The stored file a task reads. */
export interface TaskFile {
  /** The stored bytes: a path on disk (read by the process), or the bytes themselves. */
  source: { path: string } | { bytes: Uint8Array };
  filename: string;
  mimeType: string | undefined;
  limits: ExtractionLimits;
}

/** One file to turn into indexed chunks. */
export interface IngestTask extends TaskFile {
  kind: 'ingest';
  chunking: ChunkingLimits;
  /** Chunks per batch sent to the server. */
  batchChunks: number;
}

/** One file whose whole text the server wants, sent back as `text` messages. */
export interface ExtractTask extends TaskFile {
  kind: 'extract';
  /** Characters per `text` message: small enough that no single message holds up the server's event loop. */
  pieceCharacters: number;
}

export type PoolTask = IngestTask | ExtractTask;

/** Progress of a task, process → server. */
export type TaskMessage =
  /** Sent first: the process has the task and works on it now (its time limit starts). */
  | { type: 'started' }
  | { type: 'chunks'; chunks: IndexedChunk[] }
  /** The next piece of an `extract` task's text, in order. */
  | { type: 'text'; text: string };

/** The server's answer to each batch. `stop`: the file is no longer wanted. */
export type BatchReply = 'continue' | 'stop';

/** A file that cannot be read is an outcome, not a thrown error (errors lose their class on the way). */
export type UnreadableFile = { ok: false; message: string; format: string | null };

export type IngestTaskResult = { ok: true; format: string; chunkCount: number; stopped: boolean } | UnreadableFile;

/** The text itself came before, in `text` messages. */
export type ExtractTaskResult = { ok: true; format: string } | UnreadableFile;

/** The outcome of each kind of task. */
export interface TaskResults {
  ingest: IngestTaskResult;
  extract: ExtractTaskResult;
}

export type TaskResult = TaskResults[PoolTask['kind']];

/** Server → process. */
export type ParentMessage = { type: 'task'; task: PoolTask } | { type: 'reply'; reply: BatchReply };

/** Process → server. `failure`: an unexpected error (a bug), reported as a server error. */
export type ChildMessage = TaskMessage | { type: 'result'; result: TaskResult } | { type: 'failure'; message: string };

/** Batches the process may send before it waits for the server's answers. */
export const MAX_BATCHES_IN_FLIGHT = 2;

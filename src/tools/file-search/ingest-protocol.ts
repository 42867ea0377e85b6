import type { IndexedChunk } from '../../store/file-search-index.js';
import type { ChunkingLimits } from './chunking-strategy.js';
import type { ExtractionLimits } from './extraction-limits.js';

/*
 * What the server and an ingestion process say to each other over the process's IPC channel. The
 * process extracts, chunks and analyzes; the server writes (and embeds) each batch and answers it, so the
 * process never runs more than `MAX_BATCHES_IN_FLIGHT` batches ahead of the database: memory stays
 * bounded on any file.
 */

/** One file to turn into indexed chunks. */
export interface IngestTask {
  /** The stored bytes: a path on disk (read by the process), or the bytes themselves. */
  source: { path: string } | { bytes: Uint8Array };
  filename: string;
  mimeType: string | undefined;
  chunking: ChunkingLimits;
  limits: ExtractionLimits;
  /** Chunks per batch sent to the server. */
  batchChunks: number;
}

/** Progress of a task, process → server. */
export type TaskMessage =
  /** Sent first: the process has the task and works on it now (its time limit starts). */
  { type: 'started' } | { type: 'chunks'; chunks: IndexedChunk[] };

/** The server's answer to each batch. `stop`: the file is no longer wanted. */
export type BatchReply = 'continue' | 'stop';

/** The task's outcome. A file that cannot be read is an outcome, not a thrown error (errors lose their class). */
export type IngestTaskResult =
  | { ok: true; format: string; chunkCount: number; stopped: boolean }
  | { ok: false; message: string; format: string | null };

/** Server → process. */
export type ParentMessage = { type: 'task'; task: IngestTask } | { type: 'reply'; reply: BatchReply };

/** Process → server. `failure`: an unexpected error (a bug), reported as a server error. */
export type ChildMessage =
  | TaskMessage
  | { type: 'result'; result: IngestTaskResult }
  | { type: 'failure'; message: string };

/** Batches the process may send before it waits for the server's answers. */
export const MAX_BATCHES_IN_FLIGHT = 2;

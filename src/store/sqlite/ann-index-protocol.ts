/** Messages between the approximate index's client (ann-index.ts) and its worker thread (ann-index-worker.ts). */

export interface AnnWorkerSettings {
  /** The database file; the worker reads vectors through a connection of its own. */
  filename: string;
  /** Where each store's index is saved (ann-index-files.ts). */
  directory: string;
  dimensions: number;
  vectorTable: string;
  versionsTable: string;
  /** HNSW: links per element and candidate list while building. */
  m: number;
  efConstruction: number;
  /** An index is saved this long after its first unsaved change at the earliest (and 3× its last save's time). */
  saveDelayMs: number;
}

export type AnnRequest =
  /** Load or build the store's index (it is large enough to need one). */
  | { type: 'ensure'; vectorStoreId: string }
  /** Vectors committed as the store's `version`. */
  | { type: 'add'; vectorStoreId: string; version: number; ids: Float64Array; vectors: Float32Array }
  | { type: 'delete'; vectorStoreId: string; version: number; ids: Float64Array }
  /** The store has no vectors left: its index and files go. */
  | { type: 'drop'; vectorStoreId: string }
  /** `fileIds`: only chunks of these files. */
  | {
      type: 'search';
      id: number;
      vectorStoreId: string;
      vector: Float32Array;
      k: number;
      ef: number;
      fileIds?: string[];
    }
  /** Answered once nothing is loading, building or waiting to be applied (and, with `saved`, all is saved). */
  | { type: 'settle'; id: number; saved: boolean }
  /** Saves what is unsaved, answers as `settle`, then ends. */
  | { type: 'close'; id: number };

export type AnnReply =
  /** The store's index answers searches (`unready`: it no longer does, until rebuilt). */
  | { type: 'ready'; vectorStoreId: string }
  | { type: 'unready'; vectorStoreId: string }
  /**
   * Chunk ids nearest first with their cosine distances; undefined when the index cannot answer (the caller then
   * searches exactly).
   */
  | { type: 'result'; id: number; labels: number[] | undefined; distances?: number[] }
  | { type: 'settled'; id: number }
  | { type: 'log'; message: string };

import type { Page, PageRequest } from '../api/pagination.js';
import type { VectorStore, VectorStoreFile, VectorStoreFileBatch } from '../api/types.js';

export type FileStatus = VectorStoreFile['status'];

/** How many of a store's (or batch's) files are in each status, and the bytes of the completed ones. */
export interface FileCounts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

/** A vector store row: the parts of the object that do not depend on its files. */
export type StoredVectorStore = Omit<VectorStore, 'file_counts' | 'usage_bytes' | 'status'> & { expired: boolean };

/** A file of a vector store and how to chunk it; the chunking limits travel with it to ingestion. */
export interface StoredVectorStoreFile {
  project: string;
  file: VectorStoreFile;
  batchId: string | null;
  chunking: { maxChunkSizeTokens: number; chunkOverlapTokens: number };
}

export interface VectorStoreFileFilter {
  status?: FileStatus;
  batchId?: string;
}

/** Vector stores, their files and file batches. Counts are computed from the file rows. */
export interface VectorStoreRepository {
  insert(project: string, store: StoredVectorStore, files: readonly StoredVectorStoreFile[]): Promise<void>;
  get(project: string, id: string): Promise<StoredVectorStore | undefined>;
  update(project: string, store: StoredVectorStore): Promise<void>;
  delete(project: string, id: string): Promise<boolean>;
  list(project: string, page: PageRequest): Promise<Page<StoredVectorStore>>;
  /** Ids among `ids` that name vector stores of the project. */
  existing(project: string, ids: readonly string[]): Promise<Set<string>>;
  counts(vectorStoreId: string, batchId?: string): Promise<FileCounts & { usageBytes: number }>;
  /** Marks stores whose `expires_at` passed as expired; returns their ids. */
  expire(nowSeconds: number): Promise<string[]>;
  touch(vectorStoreId: string, nowSeconds: number): Promise<void>;

  /** Adds files (replacing a previous row of the same file, whose chunks the caller removes first). */
  insertFiles(files: readonly StoredVectorStoreFile[]): Promise<void>;
  getFile(project: string, vectorStoreId: string, fileId: string): Promise<StoredVectorStoreFile | undefined>;
  updateFile(file: StoredVectorStoreFile): Promise<void>;
  deleteFile(project: string, vectorStoreId: string, fileId: string): Promise<boolean>;
  listFiles(
    project: string,
    vectorStoreId: string,
    page: PageRequest,
    filter?: VectorStoreFileFilter,
  ): Promise<Page<VectorStoreFile>>;
  /** Every file of the given stores (for attribute filters). */
  allFiles(vectorStoreIds: readonly string[]): Promise<StoredVectorStoreFile[]>;
  /** The rows of these files in any of these stores (the files that search results name). */
  filesIn(vectorStoreIds: readonly string[], fileIds: readonly string[]): Promise<StoredVectorStoreFile[]>;
  /** Stores that hold the file (to remove it everywhere when the File itself is deleted). */
  storesOfFile(project: string, fileId: string): Promise<string[]>;
  /** Files waiting for ingestion, oldest first, that no live lease holds. */
  claimPendingFile(owner: string, leaseUntil: number, now: number): Promise<StoredVectorStoreFile | undefined>;
  releaseFile(vectorStoreId: string, fileId: string): Promise<void>;
  /** Extends `owner`'s leases on these files (those it still holds) to `leaseUntil`. */
  renewFileLeases(
    owner: string,
    files: ReadonlyArray<{ vectorStoreId: string; fileId: string }>,
    leaseUntil: number,
  ): Promise<void>;
  /** Files of all projects still `in_progress`: the ingestion backlog (for metrics). */
  countFilesInProgress(): Promise<number>;

  insertBatch(project: string, batch: VectorStoreFileBatch, files: readonly StoredVectorStoreFile[]): Promise<void>;
  getBatch(project: string, vectorStoreId: string, batchId: string): Promise<VectorStoreFileBatch | undefined>;
  updateBatch(project: string, batch: VectorStoreFileBatch): Promise<void>;
  /** Cancels a batch's files still in progress; returns their ids. */
  cancelBatchFiles(vectorStoreId: string, batchId: string): Promise<string[]>;
}

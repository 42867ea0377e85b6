/** One chunk of a file as it is indexed. */
export interface IndexedChunk {
  index: number;
  text: string;
  tokenCount: number;
}

/** A chunk that matched a search, with a score in 0..1 (higher is better). */
export interface ChunkHit {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  chunkIndex: number;
  score: number;
  text: string;
}

export interface ChunkSearch {
  vectorStoreIds: readonly string[];
  limit: number;
  /** Only chunks of these files (attribute filters); all files when undefined. */
  fileIds?: ReadonlySet<string>;
}

/**
 * The chunks of every vector store file, searchable by keywords (BM25) and, when an embedding model
 * is configured, by vector similarity. Dialect-specific: FTS5 + sqlite-vec on SQLite.
 */
export interface FileSearchIndex {
  /** Whether vector search is available (an embedding model with these dimensions is configured). */
  readonly vectorDimensions: number | undefined;
  /** Adds a batch of one file's chunks; `embeddings[i]` belongs to `chunks[i]` when vectors are enabled. */
  addChunks(vectorStoreId: string, fileId: string, chunks: readonly IndexedChunk[], title: string, embeddings?: readonly number[][]): Promise<void>;
  deleteFile(vectorStoreId: string, fileId: string): Promise<void>;
  /** A file's chunk texts in order (the vector store file content endpoint). */
  fileChunks(vectorStoreId: string, fileId: string): Promise<string[]>;
  keywordSearch(query: string, search: ChunkSearch): Promise<ChunkHit[]>;
  vectorSearch(embedding: readonly number[], search: ChunkSearch): Promise<ChunkHit[]>;
}

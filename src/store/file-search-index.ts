/**
 * One chunk of a file as it is indexed. `terms` are its keyword terms, analyzed by the caller
 * (tools/file-search/analyzer.ts) exactly as queries are: the index stores and matches terms but
 * knows no language rules, so the store never depends on the tools that use it.
 */
export interface IndexedChunk {
  index: number;
  text: string;
  tokenCount: number;
  /** In text order, with repeats (term frequency matters to BM25). */
  terms: readonly string[];
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

/** A chunk indexed for keywords that still needs its vector. */
export interface MissingVector {
  chunkId: number;
  vectorStoreId: string;
  text: string;
}

/** A vector computed for a chunk that was missing one. */
export interface ChunkVector {
  chunkId: number;
  embedding: readonly number[];
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
  /**
   * Adds a batch of one file's chunks; `titleTerms` (the file's name, analyzed) are indexed with every
   * chunk. `embeddings[i]` belongs to `chunks[i]` when vectors are enabled; without `embeddings` (the
   * provider could not be reached) the chunks are searchable by keywords at once and listed as missing
   * their vectors until `addVectors` stores them.
   */
  addChunks(
    vectorStoreId: string,
    fileId: string,
    chunks: readonly IndexedChunk[],
    titleTerms: readonly string[],
    embeddings?: readonly number[][],
  ): Promise<void>;
  deleteFile(vectorStoreId: string, fileId: string): Promise<void>;
  /**
   * BM25 over the chunks' terms and titles. `terms` are the query's, analyzed like the chunks'; a
   * repeated term weighs more. No terms (a query of only stopwords) finds nothing.
   */
  keywordSearch(terms: readonly string[], search: ChunkSearch): Promise<ChunkHit[]>;
  vectorSearch(embedding: readonly number[], search: ChunkSearch): Promise<ChunkHit[]>;
  /** Up to `limit` chunks still missing vectors (persisted: they survive restarts), least-tried first. */
  chunksMissingVectors(limit: number): Promise<MissingVector[]>;
  /** Stores vectors of chunks that were missing them; chunks deleted meanwhile are skipped. */
  addVectors(vectors: readonly ChunkVector[]): Promise<void>;
  /** Records a failed attempt to embed these chunks, so other chunks are tried first next time. */
  deferVectors(chunkIds: readonly number[]): Promise<void>;
  /** How many chunks are missing vectors. */
  countMissingVectors(): Promise<number>;
}

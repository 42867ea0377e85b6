import type {
  ChunkHit,
  ChunkSearch,
  ChunkVector,
  FileSearchIndex,
  IndexedChunk,
  MissingVector,
} from '../file-search-index.js';
import { DEFAULT_KEYWORD_RANKING, type KeywordRanking } from '../sqlite/keyword-index.js';
import {
  applyStatisticsChange,
  deleteKeywordChunks,
  ensureScope,
  hasIndexedFile,
  insertKeywordChunks,
  lockIndexedFile,
} from './keyword-index.js';
import { DEFAULT_KEYWORD_PRUNING, type KeywordPruning, searchKeywordChunks } from './keyword-search.js';
import {
  countMissingVectors,
  deferMissingVectors,
  forgetMissingVectorsOfChunks,
  selectMissingVectors,
} from './missing-vectors.js';
import type { PgDatabase } from './pg-database.js';
import { PgVectorIndex, type VectorSearchOptions } from './vector-index.js';

/** Scope ids never change once created; a process remembers this many. */
const SCOPE_CACHE_SIZE = 10_000;

/** Production uses the defaults; benches and tests measure others. */
export interface PgFileSearchOptions {
  keywordRanking?: Readonly<KeywordRanking>;
  keywordPruning?: Readonly<KeywordPruning>;
  vectorSearch?: VectorSearchOptions;
}

/**
 * The PostgreSQL dialect of the file_search index: BM25 computed in SQL from stored term statistics
 * (keyword-index.ts writes them, keyword-search.ts ranks with them — the same scores as FTS5's bm25() on SQLite)
 * and pgvector HNSW for vectors (vector-index.ts). Every write is one transaction; chunks indexed without a vector
 * are listed in `file_search_missing_vectors` (missing-vectors.ts) until one is stored.
 */
export class PgFileSearchIndex implements FileSearchIndex {
  readonly #scopes = new Map<string, number>();

  private constructor(
    private readonly db: PgDatabase,
    readonly vectorDimensions: number | undefined,
    private readonly vectors: PgVectorIndex | undefined,
    private readonly options: PgFileSearchOptions,
  ) {}

  /**
   * Opens the index on a migrated database; with `vectorDimensions`, creates that size's vector table (and the
   * pgvector extension) when no process has yet.
   */
  static async open(
    db: PgDatabase,
    vectorDimensions: number | undefined,
    options: PgFileSearchOptions = {},
  ): Promise<PgFileSearchIndex> {
    const vectors =
      vectorDimensions === undefined ? undefined : await PgVectorIndex.open(db, vectorDimensions, options.vectorSearch);
    return new PgFileSearchIndex(db, vectorDimensions, vectors, options);
  }

  /*
   * Index writes (addChunks, deleteFile) commit without waiting for their WAL flush: a small file's write is mostly
   * that wait. Safe, because WAL is flushed in order: the synchronous commit that then marks the file completed (or
   * removed) makes every index write before it durable too, and a crash can only lose index writes of files still
   * in progress, which are ingested again.
   */

  async addChunks(
    vectorStoreId: string,
    fileId: string,
    chunks: readonly IndexedChunk[],
    titleTerms: readonly string[],
    embeddings?: readonly number[][],
  ): Promise<void> {
    if (chunks.length === 0) return;
    const scopeId = await this.#scopeId(vectorStoreId);
    await this.db.transaction(async (tx) => {
      const written = await insertKeywordChunks(tx, scopeId, fileId, chunks, titleTerms, true);
      if (this.vectors) {
        const present: ChunkVector[] = [];
        const missing: number[] = [];
        written.chunkIds.forEach((chunkId, position) => {
          const embedding = embeddings?.[position];
          if (embedding) present.push({ chunkId, embedding });
          else missing.push(chunkId);
        });
        await this.vectors.insert(tx, scopeId, written.fileKey, present, missing);
      }
      await applyStatisticsChange(tx, written.statistics);
    });
  }

  async deleteFile(vectorStoreId: string, fileId: string): Promise<void> {
    // Ingestion deletes before it indexes a file: usually there is nothing, and one read says so.
    if (!(await hasIndexedFile(this.db, vectorStoreId, fileId))) return;
    await this.db.transaction(async (tx) => {
      const file = await lockIndexedFile(tx, vectorStoreId, fileId, true);
      if (!file) return;
      const alsoDelete = [forgetMissingVectorsOfChunks, ...(this.vectors ? [this.vectors.deleteFileStatement] : [])];
      const change = await deleteKeywordChunks(tx, file, alsoDelete);
      await applyStatisticsChange(tx, change);
    });
  }

  async keywordSearch(terms: readonly string[], search: ChunkSearch): Promise<ChunkHit[]> {
    const { keywordRanking = DEFAULT_KEYWORD_RANKING, keywordPruning = DEFAULT_KEYWORD_PRUNING } = this.options;
    return searchKeywordChunks(this.db, terms, search, keywordRanking, keywordPruning);
  }

  async vectorSearch(embedding: readonly number[], search: ChunkSearch): Promise<ChunkHit[]> {
    return this.vectors ? this.vectors.search(embedding, search) : [];
  }

  async chunksMissingVectors(limit: number): Promise<MissingVector[]> {
    return this.vectors ? selectMissingVectors(this.db, limit) : [];
  }

  async addVectors(vectors: readonly ChunkVector[]): Promise<void> {
    await this.vectors?.fillMissing(vectors);
  }

  async deferVectors(chunkIds: readonly number[]): Promise<void> {
    await deferMissingVectors(this.db, chunkIds);
  }

  async countMissingVectors(): Promise<number> {
    return this.vectors ? countMissingVectors(this.db) : 0;
  }

  async #scopeId(vectorStoreId: string): Promise<number> {
    let scopeId = this.#scopes.get(vectorStoreId);
    if (scopeId === undefined) {
      scopeId = await ensureScope(this.db, vectorStoreId);
      if (this.#scopes.size >= SCOPE_CACHE_SIZE) this.#scopes.clear();
      this.#scopes.set(vectorStoreId, scopeId);
    }
    return scopeId;
  }
}

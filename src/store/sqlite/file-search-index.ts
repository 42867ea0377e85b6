import type {
  ChunkHit,
  ChunkSearch,
  ChunkVector,
  FileSearchIndex,
  IndexedChunk,
  MissingVector,
} from '../file-search-index.js';
import {
  DEFAULT_KEYWORD_RANKING,
  deleteKeywordChunks,
  insertKeywordChunks,
  type KeywordRanking,
  searchKeywordChunks,
} from './keyword-index.js';
import {
  clearMissingVector,
  countMissingVectors,
  deferMissingVectors,
  forgetMissingVectorsOfFile,
  markAllVectorsMissing,
  markVectorsMissing,
  selectMissingVectors,
} from './missing-vectors.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface ChunkRow {
  chunk_id: number;
  vector_store_id: string;
  file_id: string;
  chunk_index: number;
  text: string;
}

/**
 * Keyword search on FTS5 (keyword-index.ts) and vector search on sqlite-vec, both over
 * `file_search_chunks`: a chunk's row id is its id in both indexes. Chunks indexed without a vector are
 * listed in `file_search_missing_vectors` (missing-vectors.ts) until one is stored.
 */
export class SqliteFileSearchIndex implements FileSearchIndex {
  readonly #vectorTable: string | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    readonly vectorDimensions: number | undefined,
    /** Production uses the default; benches measure others. */
    private readonly keywordRanking: Readonly<KeywordRanking> = DEFAULT_KEYWORD_RANKING,
  ) {
    if (vectorDimensions !== undefined) {
      db.loadVectorExtension();
      // One table per dimension count, so changing EMBEDDING_DIMENSIONS never mixes vector sizes.
      this.#vectorTable = `file_search_vectors_${vectorDimensions}`;
      const table = this.#vectorTable;
      db.transaction(() => {
        const exists = db.get('SELECT 1 FROM sqlite_master WHERE name = ?', table) !== undefined;
        db.exec(
          `CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING vec0(
             chunk_id integer primary key,
             vector_store_id text partition key,
             embedding float[${vectorDimensions}] distance_metric=cosine
           )`,
        );
        // Vectors just enabled (or resized): chunks indexed before get theirs from the backfill.
        if (!exists) markAllVectorsMissing(db);
      });
    }
  }

  async addChunks(
    vectorStoreId: string,
    fileId: string,
    chunks: readonly IndexedChunk[],
    titleTerms: readonly string[],
    embeddings?: readonly number[][],
  ): Promise<void> {
    await this.db.write(() => {
      const ids = insertKeywordChunks(this.db, vectorStoreId, fileId, chunks, titleTerms);
      if (!this.#vectorTable) return;
      const missing: number[] = [];
      ids.forEach((chunkId, position) => {
        const embedding = embeddings?.[position];
        if (embedding) this.#insertVector(chunkId, vectorStoreId, embedding);
        else missing.push(chunkId);
      });
      markVectorsMissing(this.db, missing);
    });
  }

  async chunksMissingVectors(limit: number): Promise<MissingVector[]> {
    return this.#vectorTable ? selectMissingVectors(this.db, limit) : [];
  }

  async addVectors(vectors: readonly ChunkVector[]): Promise<void> {
    if (!this.#vectorTable) return;
    await this.db.write(() => {
      for (const { chunkId, embedding } of vectors) {
        if (!clearMissingVector(this.db, chunkId)) continue;
        const chunk = this.db.get<{ vector_store_id: string }>(
          'SELECT vector_store_id FROM file_search_chunks WHERE chunk_id = ?',
          chunkId,
        );
        if (chunk) this.#insertVector(chunkId, chunk.vector_store_id, embedding);
      }
    });
  }

  async deferVectors(chunkIds: readonly number[]): Promise<void> {
    await this.db.write(() => deferMissingVectors(this.db, chunkIds));
  }

  async countMissingVectors(): Promise<number> {
    return this.#vectorTable ? countMissingVectors(this.db) : 0;
  }

  #insertVector(chunkId: number, vectorStoreId: string, embedding: readonly number[]): void {
    this.db.run(
      `INSERT INTO ${this.#vectorTable} (chunk_id, vector_store_id, embedding) VALUES (?, ?, ?)`,
      BigInt(chunkId),
      vectorStoreId,
      new Float32Array(embedding),
    );
  }

  async deleteFile(vectorStoreId: string, fileId: string): Promise<void> {
    await this.db.write(() => {
      // Vectors first: their ids are found through the chunk rows the keyword delete removes.
      forgetMissingVectorsOfFile(this.db, vectorStoreId, fileId);
      if (this.#vectorTable) {
        this.db.run(
          `DELETE FROM ${this.#vectorTable} WHERE chunk_id IN
             (SELECT chunk_id FROM file_search_chunks WHERE vector_store_id = ? AND file_id = ?)`,
          vectorStoreId,
          fileId,
        );
      }
      deleteKeywordChunks(this.db, vectorStoreId, fileId);
    });
  }

  async keywordSearch(terms: readonly string[], search: ChunkSearch): Promise<ChunkHit[]> {
    return searchKeywordChunks(this.db, terms, search, this.keywordRanking);
  }

  async vectorSearch(embedding: readonly number[], search: ChunkSearch): Promise<ChunkHit[]> {
    if (!this.#vectorTable || search.vectorStoreIds.length === 0) return [];
    // Attribute filters are applied after the nearest-neighbour search, so ask for more candidates.
    const k = Math.min(4096, search.fileIds ? search.limit * 8 : search.limit);
    const placeholders = search.vectorStoreIds.map(() => '?').join(', ');
    const rows = this.db.all<ChunkRow & { distance: number }>(
      `SELECT c.chunk_id, c.vector_store_id, c.file_id, c.chunk_index, c.text, v.distance
       FROM ${this.#vectorTable} v JOIN file_search_chunks c ON c.chunk_id = v.chunk_id
       WHERE v.embedding MATCH ? AND k = ? AND v.vector_store_id IN (${placeholders})
       ORDER BY v.distance`,
      new Float32Array(embedding),
      k,
      ...search.vectorStoreIds,
    );
    return rows
      .filter((row) => !search.fileIds || search.fileIds.has(row.file_id))
      .slice(0, search.limit)
      .map((row) => ({
        chunkId: row.chunk_id,
        vectorStoreId: row.vector_store_id,
        fileId: row.file_id,
        chunkIndex: row.chunk_index,
        text: row.text,
        // Cosine distance is 0..2; similarity 1 - d/2 keeps scores in 0..1 as the API requires.
        score: Math.max(0, Math.min(1, 1 - row.distance / 2)),
      }));
  }
}

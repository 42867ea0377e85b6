import type {
  ChunkHit,
  ChunkSearch,
  ChunkVector,
  FileSearchIndex,
  IndexedChunk,
  MissingVector,
} from '../file-search-index.js';
import { type AnnCandidate, AnnIndex, DEFAULT_ANN_SETTINGS } from './ann-index.js';
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
import {
  bumpVectorStoreVersion,
  createVectorStoreVersions,
  readVectorStoreVersions,
  storesLargerThan,
} from './vector-store-versions.js';

/** Up to this many chunks allowed in a store, a search computes every distance (as PostgreSQL's vector-index.ts). */
export const DEFAULT_EXACT_VECTOR_MAX = 20_000;
/**
 * A filtered search allowing at most this many chunks of a store computes their distances one by one (a vec0 point
 * read costs ~40 µs, a scan ~1 µs a vector: past a few thousand, scanning or walking the graph is cheaper).
 */
export const DEFAULT_FILTERED_LOOKUP_MAX = 2_000;
/** Below this share of a store, a filtered graph walk widens its candidate list (as on PostgreSQL). */
const WIDENED_SHARE = 0.25;
/** sqlite-vec's largest k. */
const VEC0_K_MAX = 4_096;

/** The approximate index's settings; production uses the defaults, tests and benches others. */
export interface VectorIndexOptions {
  /** The database file (the index's worker reads it); without one (in memory) every search is exact. */
  filename?: string | undefined;
  /** Where each large store's HNSW index is saved; the default is beside the database. */
  directory?: string | undefined;
  /** Stores with at most this many vectors are searched exactly. */
  exactMax?: number | undefined;
  /** Filtered searches allowing at most this many chunks of a store read their distances one by one (exact). */
  filteredLookupMax?: number | undefined;
  m?: number;
  efConstruction?: number;
  efSearch?: number;
  saveDelayMs?: number;
  /** Told how each store's part of a search was answered. */
  observe?: (plan: 'exact' | 'ann') => void;
  log?: (message: string) => void;
}

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
 *
 * sqlite-vec computes every distance of a store (`vec0`'s exact scan, ~1 s at 1M vectors), so a store with more than
 * `exactMax` vectors is searched through an approximate HNSW index instead (ann-index.ts: hnswlib in a worker
 * thread, one graph per store, saved beside the database). The vector table stays the truth: the graph only proposes
 * candidates, whose store and file are read back from SQLite, so a chunk deleted since is never returned, and a
 * store's search never sees another store's chunks.
 */
export class SqliteFileSearchIndex implements FileSearchIndex {
  readonly #vectorTable: string | undefined;
  #versionsTable = '';
  readonly #exactMax: number;
  readonly #filteredLookupMax: number;
  readonly #ann: AnnIndex | undefined;
  readonly #observe: ((plan: 'exact' | 'ann') => void) | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    readonly vectorDimensions: number | undefined,
    /** Production uses the default; benches measure others. */
    private readonly keywordRanking: Readonly<KeywordRanking> = DEFAULT_KEYWORD_RANKING,
    vectorIndex: VectorIndexOptions = {},
  ) {
    this.#exactMax = vectorIndex.exactMax ?? DEFAULT_EXACT_VECTOR_MAX;
    this.#filteredLookupMax = vectorIndex.filteredLookupMax ?? DEFAULT_FILTERED_LOOKUP_MAX;
    this.#observe = vectorIndex.observe;
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
        this.#versionsTable = createVectorStoreVersions(db, table);
      });
      if (vectorIndex.filename !== undefined && Number.isFinite(this.#exactMax)) {
        const settings = { ...DEFAULT_ANN_SETTINGS, ...definedOnly(vectorIndex) };
        this.#ann = new AnnIndex(
          {
            filename: vectorIndex.filename,
            directory: vectorIndex.directory ?? `${vectorIndex.filename}-hnsw-${vectorDimensions}`,
            dimensions: vectorDimensions,
            vectorTable: table,
            versionsTable: this.#versionsTable,
            m: settings.m,
            efConstruction: settings.efConstruction,
            saveDelayMs: settings.saveDelayMs,
          },
          settings.efSearch,
          vectorIndex.log,
        );
        // Large stores' indexes load (or rebuild) now rather than on their first search.
        for (const id of storesLargerThan(db, this.#versionsTable, this.#exactMax)) this.#ann.ensure(id);
      }
    }
  }

  /** The graph walk's candidate list (HNSW `ef`) from now on: benches measure recall against it. */
  set approximateSearchEf(ef: number) {
    if (this.#ann) this.#ann.efSearch = ef;
  }

  /** Resolves once every large store's approximate index is ready and up to date (saved too, with `saved`). */
  async vectorIndexSettled(saved = false): Promise<void> {
    await this.#ann?.settled(saved);
  }

  /** Saves the approximate indexes and stops their worker. */
  async close(): Promise<void> {
    await this.#ann?.close();
  }

  async addChunks(
    vectorStoreId: string,
    fileId: string,
    chunks: readonly IndexedChunk[],
    titleTerms: readonly string[],
    embeddings?: readonly number[][],
  ): Promise<void> {
    const added = await this.db.write(() => {
      const ids = insertKeywordChunks(this.db, vectorStoreId, fileId, chunks, titleTerms);
      if (!this.#vectorTable) return undefined;
      const missing: number[] = [];
      const stored: StoredVectors = { ids: [], vectors: [] };
      ids.forEach((chunkId, position) => {
        const embedding = embeddings?.[position];
        if (!embedding) missing.push(chunkId);
        else {
          this.#insertVector(chunkId, vectorStoreId, embedding);
          stored.ids.push(chunkId);
          stored.vectors.push(embedding);
        }
      });
      markVectorsMissing(this.db, missing);
      return stored.ids.length > 0 ? this.#bumpVersion(vectorStoreId, stored) : undefined;
    });
    if (added) this.#announceAdded(added);
  }

  async chunksMissingVectors(limit: number): Promise<MissingVector[]> {
    return this.#vectorTable ? selectMissingVectors(this.db, limit) : [];
  }

  async addVectors(vectors: readonly ChunkVector[]): Promise<void> {
    if (!this.#vectorTable) return;
    const added = await this.db.write(() => {
      const byStore = new Map<string, StoredVectors>();
      for (const { chunkId, embedding } of vectors) {
        if (!clearMissingVector(this.db, chunkId)) continue;
        const chunk = this.db.get<{ vector_store_id: string }>(
          'SELECT vector_store_id FROM file_search_chunks WHERE chunk_id = ?',
          chunkId,
        );
        if (!chunk) continue;
        this.#insertVector(chunkId, chunk.vector_store_id, embedding);
        const stored = byStore.get(chunk.vector_store_id) ?? { ids: [], vectors: [] };
        byStore.set(chunk.vector_store_id, stored);
        stored.ids.push(chunkId);
        stored.vectors.push(embedding);
      }
      return [...byStore].map(([vectorStoreId, stored]) => this.#bumpVersion(vectorStoreId, stored));
    });
    for (const change of added) this.#announceAdded(change);
  }

  /** Counts a store's new vectors in its version row (inside the write), for `#announceAdded` after the commit. */
  #bumpVersion(vectorStoreId: string, stored: StoredVectors): VectorChange {
    const { version, vectors } = bumpVectorStoreVersion(this.db, this.#versionsTable, vectorStoreId, stored.ids.length);
    return { vectorStoreId, version, remaining: vectors, ...stored };
  }

  /** Tells the approximate index about committed vectors, and asks for one when the store has grown large. */
  #announceAdded(change: VectorChange): void {
    if (!this.#ann) return;
    this.#ann.added(change.vectorStoreId, change.version, change.ids, change.vectors);
    if (change.remaining > this.#exactMax) this.#ann.ensure(change.vectorStoreId);
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
    const removed = await this.db.write(() => {
      // Vectors first: their ids are found through the chunk rows the keyword delete removes.
      forgetMissingVectorsOfFile(this.db, vectorStoreId, fileId);
      let change: VectorChange | undefined;
      if (this.#vectorTable) {
        const ids = this.db
          .all<{ chunk_id: number }>(
            `SELECT v.chunk_id FROM file_search_chunks AS c JOIN ${this.#vectorTable} AS v ON v.chunk_id = c.chunk_id
              WHERE c.vector_store_id = ? AND c.file_id = ?`,
            vectorStoreId,
            fileId,
          )
          .map((row) => row.chunk_id);
        for (const id of ids) this.db.run(`DELETE FROM ${this.#vectorTable} WHERE chunk_id = ?`, BigInt(id));
        if (ids.length > 0) {
          const { version, vectors } = bumpVectorStoreVersion(this.db, this.#versionsTable, vectorStoreId, -ids.length);
          change = { vectorStoreId, version, remaining: vectors, ids, vectors: [] };
        }
      }
      deleteKeywordChunks(this.db, vectorStoreId, fileId);
      return change;
    });
    if (removed) this.#ann?.deleted(removed.vectorStoreId, removed.version, removed.ids, removed.remaining);
  }

  async keywordSearch(terms: readonly string[], search: ChunkSearch): Promise<ChunkHit[]> {
    return searchKeywordChunks(this.db, terms, search, this.keywordRanking);
  }

  async vectorSearch(embedding: readonly number[], search: ChunkSearch): Promise<ChunkHit[]> {
    if (!this.#vectorTable || search.vectorStoreIds.length === 0 || search.limit <= 0) return [];
    if (search.fileIds?.size === 0) return [];
    const fileIds = search.fileIds ? [...search.fileIds] : undefined;
    const versions = readVectorStoreVersions(this.db, this.#versionsTable, search.vectorStoreIds);
    const lookups: string[] = [];
    const scans: Array<{ vectorStoreId: string; vectors: number; allowed: number }> = [];
    const walks: Array<{ vectorStoreId: string; vectors: number; allowed: number }> = [];
    for (const vectorStoreId of new Set(search.vectorStoreIds)) {
      const vectors = versions.get(vectorStoreId)?.vectors ?? 0;
      if (vectors === 0) continue;
      const allowed = fileIds ? this.#allowedChunks(vectorStoreId, fileIds) : vectors;
      if (allowed === 0) continue;
      if (fileIds && allowed <= this.#filteredLookupMax) lookups.push(vectorStoreId);
      else if (vectors <= this.#exactMax || !this.#ann) scans.push({ vectorStoreId, vectors, allowed });
      else {
        // Large: the approximate index answers once ready (until then, sqlite-vec scans the store).
        this.#ann.ensure(vectorStoreId);
        const plan = { vectorStoreId, vectors, allowed };
        if (this.#ann.isReady(vectorStoreId)) walks.push(plan);
        else scans.push(plan);
      }
    }
    const rows: Array<ChunkRow & { distance: number }> = [];
    const walked = await Promise.all(
      walks.map(({ vectorStoreId, vectors, allowed }) =>
        this.#ann!.search(vectorStoreId, embedding, search.limit, fileIds, allowed / vectors < WIDENED_SHARE ? 4 : 1),
      ),
    );
    walked.forEach((candidates, position) => {
      const walk = walks[position]!;
      if (candidates === undefined) scans.push(walk);
      else {
        this.#observe?.('ann');
        rows.push(...this.#candidates(walk.vectorStoreId, candidates, fileIds));
      }
    });
    const query = new Float32Array(embedding);
    if (lookups.length > 0) {
      for (const _ of lookups) this.#observe?.('exact');
      rows.push(...this.#lookupSearch(query, lookups, search.limit, fileIds!));
    }
    if (scans.length > 0) {
      for (const _ of scans) this.#observe?.('exact');
      rows.push(...this.#scanSearch(query, scans, search.limit, fileIds));
    }
    // Distances to 6 decimals, then chunk ids: the graph and sqlite-vec compute a distance in float32 each their own
    // way, so chunks at the same distance come out in the same order whichever answered.
    const rounded = (row: { distance: number }): number => Math.round(row.distance * 1e6);
    return rows
      .sort((left, right) => rounded(left) - rounded(right) || left.chunk_id - right.chunk_id)
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

  /** How many chunks of the store the files allow. */
  #allowedChunks(vectorStoreId: string, fileIds: readonly string[]): number {
    return (
      this.db.get<{ count: number }>(
        `SELECT count(*) AS count FROM file_search_chunks
          WHERE vector_store_id = ? AND file_id IN (SELECT value FROM json_each(?))`,
        vectorStoreId,
        JSON.stringify(fileIds),
      )?.count ?? 0
    );
  }

  /**
   * The approximate index's candidates, read back from SQLite: only chunks still in the store (and in the allowed
   * files) are returned. Distances are the index's (its copy of the vectors): reading each vector back from vec0 costs
   * ~40 µs a chunk, 6 ms for the 150 candidates of a 50-result hybrid search.
   */
  #candidates(
    vectorStoreId: string,
    candidates: readonly AnnCandidate[],
    fileIds: readonly string[] | undefined,
  ): Array<ChunkRow & { distance: number }> {
    if (candidates.length === 0) return [];
    const distances = new Map(candidates.map((candidate) => [candidate.chunkId, candidate.distance]));
    const rows = this.db.all<ChunkRow>(
      // `+`: by primary key; through the store's index SQLite would read every chunk of the store (~80 ms at 1M).
      `SELECT chunk_id, vector_store_id, file_id, chunk_index, text FROM file_search_chunks
        WHERE chunk_id IN (SELECT value FROM json_each(?)) AND +vector_store_id = ?`,
      JSON.stringify([...distances.keys()]),
      vectorStoreId,
    );
    const allowed = fileIds ? new Set(fileIds) : undefined;
    return rows
      .filter((row) => !allowed || allowed.has(row.file_id))
      .map((row) => ({ ...row, distance: distances.get(row.chunk_id) ?? 2 }));
  }

  /** Exact: the distance of each allowed chunk, read one by one (few chunks allowed). */
  #lookupSearch(
    query: Float32Array,
    vectorStoreIds: readonly string[],
    limit: number,
    fileIds: readonly string[],
  ): Array<ChunkRow & { distance: number }> {
    return this.db.all<ChunkRow & { distance: number }>(
      `SELECT c.chunk_id, c.vector_store_id, c.file_id, c.chunk_index, c.text,
              vec_distance_cosine(v.embedding, ?) AS distance
         FROM file_search_chunks AS c CROSS JOIN ${this.#vectorTable} AS v ON v.chunk_id = c.chunk_id
        WHERE c.vector_store_id IN (SELECT value FROM json_each(?)) AND c.file_id IN (SELECT value FROM json_each(?))
        ORDER BY distance, c.chunk_id LIMIT ?`,
      query,
      JSON.stringify(vectorStoreIds),
      JSON.stringify(fileIds),
      limit,
    );
  }

  /**
   * sqlite-vec's scan of the stores' partitions, every distance computed. With attribute filters, the nearest are
   * fetched in proportion to the share of the stores the filters allow (twice that, up to sqlite-vec's 4,096) and
   * filtered after, as before the approximate index.
   */
  #scanSearch(
    query: Float32Array,
    stores: ReadonlyArray<{ vectorStoreId: string; vectors: number; allowed: number }>,
    limit: number,
    fileIds: readonly string[] | undefined,
  ): Array<ChunkRow & { distance: number }> {
    const vectors = stores.reduce((sum, store) => sum + store.vectors, 0);
    const allowed = stores.reduce((sum, store) => sum + store.allowed, 0);
    const k = Math.min(VEC0_K_MAX, fileIds ? Math.ceil((2 * limit * vectors) / Math.max(1, allowed)) : limit);
    const placeholders = stores.map(() => '?').join(', ');
    const rows = this.db.all<ChunkRow & { distance: number }>(
      `SELECT c.chunk_id, c.vector_store_id, c.file_id, c.chunk_index, c.text, v.distance
       FROM ${this.#vectorTable} v JOIN file_search_chunks c ON c.chunk_id = v.chunk_id
       WHERE v.embedding MATCH ? AND k = ? AND v.vector_store_id IN (${placeholders})
       ORDER BY v.distance`,
      query,
      k,
      ...stores.map((store) => store.vectorStoreId),
    );
    const files = fileIds ? new Set(fileIds) : undefined;
    return files ? rows.filter((row) => files.has(row.file_id)) : rows;
  }
}

interface StoredVectors {
  ids: number[];
  vectors: Array<readonly number[]>;
}

/** A committed change of one store's vectors: its new version and how many vectors it holds now. */
interface VectorChange extends StoredVectors {
  vectorStoreId: string;
  version: number;
  remaining: number;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

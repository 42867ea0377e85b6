import type { ChunkHit, ChunkSearch, ChunkVector } from '../file-search-index.js';
import { SEARCH_TRANSACTION } from './keyword-search.js';
import { markAllVectorsMissing } from './missing-vectors.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { readSearchScope } from './search-scope.js';

/*
 * Vector search on pgvector. One table per dimension count (`file_search_vectors_<n>`), created when a process
 * first opens the index with that size, so changing EMBEDDING_DIMENSIONS never mixes vector sizes (as in the SQLite
 * dialect). Approximate nearest neighbours through an HNSW index (cosine) when the search allows most of the table;
 * filtered by store and file with pgvector 0.8's iterative scans, which keep walking the graph until enough rows
 * pass the filter. Measured on clustered vectors (214k, 256 dimensions, recall@10 against exact search, ef_search
 * 100): 1.00 for a store holding 47% of the table, 0.98 at 23%, 0.90 at 9%, 0.77 at 5%, 0.68 at 2% — a graph
 * mostly made of other stores' vectors leads the walk astray. So a search that allows few chunks, or a small share
 * of the table, computes every distance of its chunks instead (3 ms for 10k, 10 ms for 20k there), and a search
 * allowing under a quarter of the table widens its candidate list. A large store that is a small share of a much
 * larger table (beyond `FILTERED_EXACT_MAX`) still gets the filtered walk: a partial index per such store, or
 * partitioning by store, is the way further.
 */

/** Any fixed number other than the migrations' own: processes opening at once create a vector table one at a time. */
const VECTOR_TABLE_LOCK = 4_172_301_978;
/** pgvector's HNSW limits: `vector` up to 2,000 dimensions, `halfvec` (16-bit floats) up to 4,000. */
const HNSW_VECTOR_MAX = 2_000;
const HNSW_HALFVEC_MAX = 4_000;
/** pgvector's own `vector` limit. */
const VECTOR_MAX = 16_000;
/** Up to this many allowed chunks, a search computes every distance (~10 ms) instead of using HNSW. */
export const DEFAULT_EXACT_VECTOR_MAX = 20_000;
/** Searches allowing less than this share of the table compute every distance too, up to `FILTERED_EXACT_MAX`. */
const FILTERED_SHARE = 0.1;
const FILTERED_EXACT_MAX = 200_000;
/** Below this share of the table, the HNSW candidate list is widened (×4: 0.90 → 0.94 at 9%). */
const WIDENED_SHARE = 0.25;
/** The oldest pgvector with iterative index scans. */
const MIN_PGVECTOR = [0, 8, 0];

type Tier = 'vector' | 'halfvec' | 'exact';

/** Production uses the defaults; tests and benches others. */
export interface VectorSearchOptions {
  /** Searches allowing at most this many chunks compute every distance instead of walking the HNSW graph. */
  exactMax?: number;
  /** As `exactMax`, for searches allowing less than a tenth of the table. */
  filteredExactMax?: number;
  /** Told how each search was answered. */
  observe?: (plan: 'exact' | 'hnsw') => void;
}

interface DistanceRow extends Omit<ChunkHit, 'score'> {
  distance: number;
}

export class PgVectorIndex {
  readonly #distance: string;

  private constructor(
    private readonly db: PgDatabase,
    readonly table: string,
    readonly dimensions: number,
    readonly tier: Tier,
    private readonly options: VectorSearchOptions,
  ) {
    this.#distance =
      tier === 'halfvec'
        ? `v.embedding::halfvec(${dimensions}) <=> $1::halfvec(${dimensions})`
        : `v.embedding <=> $1::vector(${dimensions})`;
  }

  /** Creates the table of this size if no process has yet, under an advisory lock (processes start together). */
  static async open(db: PgDatabase, dimensions: number, options: VectorSearchOptions = {}): Promise<PgVectorIndex> {
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > VECTOR_MAX) {
      throw new RangeError(`vector search supports 1 to ${VECTOR_MAX} dimensions, not ${dimensions}`);
    }
    const table = `file_search_vectors_${dimensions}`;
    const tier: Tier = dimensions <= HNSW_VECTOR_MAX ? 'vector' : dimensions <= HNSW_HALFVEC_MAX ? 'halfvec' : 'exact';
    await db.transaction(async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock($1)', [VECTOR_TABLE_LOCK]);
      await ensureExtension(tx);
      const found = await tx.get<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
      if (found?.exists) return;
      await tx.run(vectorTableSql(table, dimensions));
      // Vectors just enabled (or resized): chunks indexed before get theirs from the backfill.
      await markAllVectorsMissing(tx);
    });
    return new PgVectorIndex(db, table, dimensions, tier, options);
  }

  /** Stores vectors of chunks just written and lists those without one, inside the caller's transaction. */
  async insert(
    tx: PgQueryable,
    scopeId: number,
    fileKey: number,
    vectors: readonly ChunkVector[],
    missing: readonly number[],
  ): Promise<void> {
    await tx.run(
      `WITH stored AS (
         INSERT INTO ${this.table} (chunk_id, scope_id, file_key, embedding)
         SELECT chunk_id, $1, $2, embedding::vector(${this.dimensions})
           FROM unnest($3::int8[], $4::text[]) AS u(chunk_id, embedding)
       )
       INSERT INTO file_search_missing_vectors (chunk_id) SELECT unnest($5::int8[])
       ON CONFLICT (chunk_id) DO NOTHING`,
      [
        scopeId,
        fileKey,
        vectors.map((vector) => vector.chunkId),
        vectors.map((vector) => vectorText(vector.embedding)),
        missing,
      ],
    );
  }

  /** Stores vectors of chunks listed as missing them, taking them off the list; other chunks are skipped. */
  async fillMissing(vectors: readonly ChunkVector[]): Promise<void> {
    const latest = new Map(vectors.map((vector) => [vector.chunkId, vector.embedding]));
    if (latest.size === 0) return;
    await this.db.run(
      `WITH input AS (SELECT * FROM unnest($1::int8[], $2::text[]) AS u(chunk_id, embedding)),
       cleared AS (
         DELETE FROM file_search_missing_vectors AS m USING input WHERE m.chunk_id = input.chunk_id
         RETURNING m.chunk_id
       )
       INSERT INTO ${this.table} (chunk_id, scope_id, file_key, embedding)
       SELECT c.chunk_id, c.scope_id, c.file_key, input.embedding::vector(${this.dimensions})
         FROM cleared
         JOIN input ON input.chunk_id = cleared.chunk_id
         JOIN file_search_chunks AS c ON c.chunk_id = cleared.chunk_id
       ON CONFLICT (chunk_id) DO NOTHING`,
      [[...latest.keys()], [...latest.values()].map(vectorText)],
    );
  }

  /** A statement for `deleteKeywordChunks`: the file's vectors go with its chunks. */
  get deleteFileStatement(): string {
    return `DELETE FROM ${this.table} WHERE scope_id = $2 AND file_key = $1`;
  }

  async search(embedding: readonly number[], search: ChunkSearch): Promise<ChunkHit[]> {
    if (search.vectorStoreIds.length === 0 || search.limit <= 0 || search.fileIds?.size === 0) return [];
    const rows = await this.db.transaction(async (tx) => {
      await tx.run(SEARCH_TRANSACTION);
      const scope = await readSearchScope(tx, search.vectorStoreIds, search.fileIds, [], this.table);
      const allowed = scope.allowedChunkCount;
      if (scope.scopeIds.length === 0 || scope.fileKeys?.length === 0 || allowed === 0) return [];
      // The table's size as last analyzed (unknown before: then the search is taken to allow all of it).
      const share = allowed / Math.max(allowed, scope.tableRows);
      const exact =
        this.tier === 'exact' ||
        allowed <= (this.options.exactMax ?? DEFAULT_EXACT_VECTOR_MAX) ||
        (share < FILTERED_SHARE && allowed <= (this.options.filteredExactMax ?? FILTERED_EXACT_MAX));
      this.options.observe?.(exact ? 'exact' : 'hnsw');
      if (!exact) await tuneScan(tx, search.limit, share);
      const fileFilter = scope.fileKeys ? 'AND v.file_key = ANY($4::int4[])' : 'AND $4::int4[] IS NULL';
      // `+ 0` keeps the planner from answering an exact search through the approximate index.
      const order = exact ? `(${this.#distance}) + 0` : this.#distance;
      return tx.all<DistanceRow>(
        `WITH nearest AS MATERIALIZED (
           SELECT v.chunk_id, ${this.#distance} AS distance FROM ${this.table} AS v
            WHERE v.scope_id = ANY($2::int4[]) ${fileFilter}
            ORDER BY ${order}
            LIMIT $3
         )
         SELECT c.chunk_id AS "chunkId", s.vector_store_id AS "vectorStoreId", f.file_id AS "fileId",
                c.chunk_index AS "chunkIndex", c.text, n.distance
           FROM nearest AS n
           JOIN file_search_chunks AS c ON c.chunk_id = n.chunk_id
           JOIN file_search_files AS f ON f.file_key = c.file_key
           JOIN file_search_scopes AS s ON s.scope_id = c.scope_id
          ORDER BY n.distance, n.chunk_id`,
        [vectorText(embedding), scope.scopeIds, search.limit, scope.fileKeys ?? null],
      );
    });
    return rows.map(({ distance, ...hit }) => ({
      ...hit,
      // Cosine distance is 0..2; similarity 1 - d/2 keeps scores in 0..1 as the API requires (as on SQLite).
      score: Number.isFinite(distance) ? Math.max(0, Math.min(1, 1 - distance / 2)) : 0,
    }));
  }
}

/**
 * HNSW settings for one search: a candidate list at least twice the page (recall), four times wider when the search
 * allows under a quarter of the table, iterative scans in relaxed order (the query sorts its rows again), and
 * enough tuples visited to find `limit` allowed rows at this share of the table.
 */
async function tuneScan(tx: PgQueryable, limit: number, share: number): Promise<void> {
  const candidates = Math.max(100, 2 * limit) * (share < WIDENED_SHARE ? 4 : 1);
  const visited = Math.min(1_000_000, Math.max(20_000, Math.ceil((4 * limit) / share)));
  await tx.run(
    `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
            set_config('hnsw.max_scan_tuples', $2, true)`,
    [String(Math.min(1000, candidates)), String(visited)],
  );
}

function vectorTableSql(table: string, dimensions: number): string {
  return `
    CREATE TABLE ${table} (
      chunk_id bigint PRIMARY KEY,
      scope_id integer NOT NULL,
      file_key integer NOT NULL,
      embedding vector(${dimensions}) NOT NULL
    );
    CREATE INDEX ${table}_by_file ON ${table} (scope_id, file_key);
    ${hnswIndex(dimensions)?.create ?? ''}`;
}

/**
 * The HNSW index of a size's vector table: its name and the statement that creates it (none above 4,000
 * dimensions). Exported for benches, which build it after a bulk load as an operator would.
 */
export function hnswIndex(dimensions: number): { name: string; create: string } | undefined {
  const table = `file_search_vectors_${dimensions}`;
  const name = `${table}_hnsw`;
  if (dimensions <= HNSW_VECTOR_MAX) {
    return { name, create: `CREATE INDEX ${name} ON ${table} USING hnsw (embedding vector_cosine_ops);` };
  }
  if (dimensions <= HNSW_HALFVEC_MAX) {
    const column = `(embedding::halfvec(${dimensions}))`;
    return { name, create: `CREATE INDEX ${name} ON ${table} USING hnsw (${column} halfvec_cosine_ops);` };
  }
  return undefined;
}

/** pgvector ≥ 0.8, created when missing (that needs a superuser, once per database). */
async function ensureExtension(tx: PgQueryable): Promise<void> {
  let row = await tx.get<{ version: string }>(
    "SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'",
  );
  if (!row) {
    try {
      await tx.run('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (error) {
      throw new Error(
        'vector search on PostgreSQL needs the pgvector extension (0.8 or later): have a superuser run ' +
          '`CREATE EXTENSION vector` in this database, or set EMBEDDING_MODEL=none for keyword search only',
        { cause: error },
      );
    }
    row = await tx.get<{ version: string }>("SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'");
  }
  const version = (row?.version ?? '0').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const older = MIN_PGVECTOR.findIndex((minimum, index) => (version[index] ?? 0) !== minimum);
  if (older !== -1 && (version[older] ?? 0) < MIN_PGVECTOR[older]!) {
    throw new Error(
      `vector search needs pgvector 0.8 or later (iterative index scans); this database has ${row?.version}`,
    );
  }
}

function vectorText(embedding: readonly number[]): string {
  return `[${embedding.join(',')}]`;
}

import type { ChunkHit, ChunkSearch, ChunkVector } from '../file-search-index.js';
import { SEARCH_TRANSACTION } from './keyword-search.js';
import { markAllVectorsMissing } from './missing-vectors.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { readSearchScope } from './search-scope.js';

/*
 * Vector search on pgvector. One table per dimension count (`file_search_vectors_<n>`), created when a process
 * first opens the index with that size, so changing EMBEDDING_DIMENSIONS never mixes vector sizes (as in the SQLite
 * dialect). Approximate nearest neighbours through an HNSW index (cosine), filtered by store and file with
 * pgvector 0.8's iterative scans, which keep walking the graph until enough rows pass the filter; a search whose
 * allowed chunks are few is answered exactly instead (a scan of those rows beats walking a graph mostly made of
 * other stores' vectors).
 */

/** Any fixed number other than the migrations' own: processes opening at once create a vector table one at a time. */
const VECTOR_TABLE_LOCK = 4_172_301_978;
/** pgvector's HNSW limits: `vector` up to 2,000 dimensions, `halfvec` (16-bit floats) up to 4,000. */
const HNSW_VECTOR_MAX = 2_000;
const HNSW_HALFVEC_MAX = 4_000;
/** pgvector's own `vector` limit. */
const VECTOR_MAX = 16_000;
/** Up to this many allowed chunks, a search computes every distance (a few milliseconds) instead of using HNSW. */
export const DEFAULT_EXACT_VECTOR_MAX = 10_000;
/** The oldest pgvector with iterative index scans. */
const MIN_PGVECTOR = [0, 8, 0];

type Tier = 'vector' | 'halfvec' | 'exact';

/** Production uses the defaults; tests and benches others. */
export interface VectorSearchOptions {
  /** Searches allowing at most this many chunks compute every distance instead of walking the HNSW graph. */
  exactMax?: number;
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
      const scope = await readSearchScope(tx, search.vectorStoreIds, search.fileIds, []);
      if (scope.scopeIds.length === 0 || scope.fileKeys?.length === 0 || scope.allowedChunkCount === 0) return [];
      const exactMax = this.options.exactMax ?? DEFAULT_EXACT_VECTOR_MAX;
      const exact = this.tier === 'exact' || scope.allowedChunkCount <= exactMax;
      this.options.observe?.(exact ? 'exact' : 'hnsw');
      if (!exact) await this.#tuneScan(tx, search.limit, scope.allowedChunkCount);
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

  /**
   * HNSW settings for one search: a candidate list twice the page (recall), iterative scans in relaxed order (the
   * query sorts its rows again), and enough tuples visited to find `limit` allowed rows when the allowed chunks are
   * a small part of the table (a store among many, or a few files of one).
   */
  async #tuneScan(tx: PgQueryable, limit: number, allowed: number): Promise<void> {
    await tx.run(
      `SELECT set_config('hnsw.ef_search', $1::text, true),
              set_config('hnsw.iterative_scan', 'relaxed_order', true),
              set_config('hnsw.max_scan_tuples',
                greatest(20000, least(1000000, ceil($2::float8 * greatest(reltuples, $3::float8) / $3::float8)))::int8::text,
                true)
         FROM pg_class WHERE oid = $4::regclass`,
      [Math.min(1000, Math.max(100, 2 * limit)), 4 * limit, allowed, this.table],
    );
  }
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

import type { MissingVector } from '../file-search-index.js';
import type { PgQueryable } from './pg-database.js';

/*
 * Chunks waiting for their vectors (`file_search_missing_vectors`, migration step 2), as in the SQLite dialect: a
 * chunk is listed when it is indexed for keywords without a vector and leaves when its vector is stored
 * (vector-index.ts) or the chunk is deleted; the table survives restarts, so no chunk is ever forgotten.
 */

/** Records chunks as missing vectors, inside the caller's transaction. */
export async function markVectorsMissing(tx: PgQueryable, chunkIds: readonly number[]): Promise<void> {
  if (chunkIds.length === 0) return;
  await tx.run(
    `INSERT INTO file_search_missing_vectors (chunk_id) SELECT unnest($1::int8[]) ON CONFLICT (chunk_id) DO NOTHING`,
    [chunkIds],
  );
}

/** Every existing chunk, when a vector table is new (vectors just enabled, or their size changed). */
export async function markAllVectorsMissing(tx: PgQueryable): Promise<void> {
  await tx.run(
    `INSERT INTO file_search_missing_vectors (chunk_id) SELECT chunk_id FROM file_search_chunks
     ON CONFLICT (chunk_id) DO NOTHING`,
  );
}

/** Up to `limit` chunks missing vectors, least-tried first. */
export async function selectMissingVectors(db: PgQueryable, limit: number): Promise<MissingVector[]> {
  return db.all<MissingVector>(
    `SELECT m.chunk_id AS "chunkId", s.vector_store_id AS "vectorStoreId", c.text
       FROM file_search_missing_vectors AS m
       JOIN file_search_chunks AS c ON c.chunk_id = m.chunk_id
       JOIN file_search_scopes AS s ON s.scope_id = c.scope_id
      ORDER BY m.attempts, m.chunk_id
      LIMIT $1`,
    [Math.max(0, limit)],
  );
}

/** Counts a failed attempt, so the next round tries other chunks first. */
export async function deferMissingVectors(db: PgQueryable, chunkIds: readonly number[]): Promise<void> {
  if (chunkIds.length === 0) return;
  await db.run('UPDATE file_search_missing_vectors SET attempts = attempts + 1 WHERE chunk_id = ANY($1::int8[])', [
    chunkIds,
  ]);
}

/** Removes one file's chunks from the list, inside the caller's transaction (before the chunks go). */
export async function forgetMissingVectorsOfFile(tx: PgQueryable, fileKey: number): Promise<void> {
  await tx.run(
    `DELETE FROM file_search_missing_vectors
      WHERE chunk_id IN (SELECT chunk_id FROM file_search_chunks WHERE file_key = $1)`,
    [fileKey],
  );
}

export async function countMissingVectors(db: PgQueryable): Promise<number> {
  return (await db.get<{ count: number }>('SELECT count(*)::int8 AS count FROM file_search_missing_vectors'))!.count;
}

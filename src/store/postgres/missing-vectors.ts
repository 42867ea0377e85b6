import type { MissingVector } from '../file-search-index.js';
import type { PgQueryable } from './pg-database.js';

/*
 * Chunks waiting for their vectors (`file_search_missing_vectors`, migration step 2), as in the SQLite dialect: a
 * chunk is listed when it is indexed for keywords without a vector (vector-index.ts lists it with the vectors it
 * stores) and leaves when its vector is stored or the chunk is deleted; the table survives restarts, so no chunk
 * is ever forgotten.
 */

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

/** A statement for `deleteKeywordChunks`: the deleted chunks (its CTE `chunks`) leave the list. */
export const forgetMissingVectorsOfChunks =
  'DELETE FROM file_search_missing_vectors WHERE chunk_id IN (SELECT chunk_id FROM chunks)';

export async function countMissingVectors(db: PgQueryable): Promise<number> {
  return (await db.get<{ count: number }>('SELECT count(*)::int8 AS count FROM file_search_missing_vectors'))!.count;
}

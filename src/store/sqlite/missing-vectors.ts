import type { MissingVector } from '../file-search-index.js';
import type { SqliteDatabase } from './sqlite-database.js';

/*
 * Chunks waiting for their vectors (table from migration 5). A chunk is listed here when it is indexed
 * for keywords without a vector, and leaves when its vector is stored or the chunk is deleted; the
 * table survives restarts, so no chunk is ever forgotten.
 */

/** Records chunks as missing vectors, inside the caller's transaction. */
export function markVectorsMissing(db: SqliteDatabase, chunkIds: readonly number[]): void {
  for (const chunkId of chunkIds) {
    db.run('INSERT OR IGNORE INTO file_search_missing_vectors (chunk_id) VALUES (?)', chunkId);
  }
}

/** Every existing chunk, when a vector table is new (vectors just enabled, or their size changed). */
export function markAllVectorsMissing(db: SqliteDatabase): void {
  db.run('INSERT OR IGNORE INTO file_search_missing_vectors (chunk_id) SELECT chunk_id FROM file_search_chunks');
}

/** Up to `limit` chunks missing vectors, least-tried first. */
export function selectMissingVectors(db: SqliteDatabase, limit: number): MissingVector[] {
  return db.all<MissingVector>(
    `SELECT m.chunk_id AS chunkId, c.vector_store_id AS vectorStoreId, c.text AS text
       FROM file_search_missing_vectors AS m JOIN file_search_chunks AS c ON c.chunk_id = m.chunk_id
      ORDER BY m.attempts, m.chunk_id LIMIT ?`,
    limit,
  );
}

/** Removes a chunk from the list; false if it was not on it (already filled, or deleted meanwhile). */
export function clearMissingVector(db: SqliteDatabase, chunkId: number): boolean {
  return db.run('DELETE FROM file_search_missing_vectors WHERE chunk_id = ?', chunkId).changes > 0;
}

/** Counts a failed attempt, so the next round tries other chunks first. */
export function deferMissingVectors(db: SqliteDatabase, chunkIds: readonly number[]): void {
  for (const chunkId of chunkIds) {
    db.run('UPDATE file_search_missing_vectors SET attempts = attempts + 1 WHERE chunk_id = ?', chunkId);
  }
}

/** Removes one file's chunks from the list, inside the caller's transaction (before the chunks go). */
export function forgetMissingVectorsOfFile(db: SqliteDatabase, vectorStoreId: string, fileId: string): void {
  db.run(
    `DELETE FROM file_search_missing_vectors WHERE chunk_id IN
       (SELECT chunk_id FROM file_search_chunks WHERE vector_store_id = ? AND file_id = ?)`,
    vectorStoreId,
    fileId,
  );
}

export function countMissingVectors(db: SqliteDatabase): number {
  return db.get<{ count: number }>('SELECT count(*) AS count FROM file_search_missing_vectors')?.count ?? 0;
}

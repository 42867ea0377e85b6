import type { SqliteDatabase } from './sqlite-database.js';

/*
 * Per vector store, how many vectors the vector table holds and a version that every change of them bumps, in the
 * transaction that changes them. The approximate index (ann-index.ts) is a copy of a store's vectors saved beside
 * the database; a saved copy names the version it holds, so one left behind by a crash between a commit and a save
 * is known stale on open and rebuilt. One table per dimension count, beside its vector table, created with it.
 */

export interface VectorStoreVersion {
  version: number;
  vectors: number;
}

/** `file_search_vectors_<n>_stores`, created (and filled from the vector table) when missing. */
export function createVectorStoreVersions(db: SqliteDatabase, vectorTable: string): string {
  const table = `${vectorTable}_stores`;
  const exists = db.get('SELECT 1 FROM sqlite_master WHERE name = ?', table) !== undefined;
  if (exists) return table;
  db.exec(
    `CREATE TABLE ${table} (
       vector_store_id TEXT PRIMARY KEY,
       version INTEGER NOT NULL,
       vectors INTEGER NOT NULL
     ) WITHOUT ROWID`,
  );
  db.run(
    `INSERT INTO ${table} (vector_store_id, version, vectors)
     SELECT vector_store_id, 1, count(*) FROM ${vectorTable} GROUP BY vector_store_id`,
  );
  return table;
}

/** Counts `delta` vectors added (or removed, negative) and returns the store's new version; in a transaction. */
export function bumpVectorStoreVersion(
  db: SqliteDatabase,
  table: string,
  vectorStoreId: string,
  delta: number,
): VectorStoreVersion {
  const row =
    db.get<VectorStoreVersion>(
      `UPDATE ${table} SET version = version + 1, vectors = max(0, vectors + ?) WHERE vector_store_id = ?
       RETURNING version, vectors`,
      delta,
      vectorStoreId,
    ) ??
    db.get<VectorStoreVersion>(
      `INSERT INTO ${table} (vector_store_id, version, vectors) VALUES (?, 1, max(0, ?)) RETURNING version, vectors`,
      vectorStoreId,
      delta,
    );
  if (!row) throw new Error(`no version row for vector store ${vectorStoreId}`);
  return row;
}

export function readVectorStoreVersions(
  db: SqliteDatabase,
  table: string,
  vectorStoreIds: readonly string[],
): Map<string, VectorStoreVersion> {
  const rows = db.all<VectorStoreVersion & { vector_store_id: string }>(
    `SELECT vector_store_id, version, vectors FROM ${table} WHERE vector_store_id IN (SELECT value FROM json_each(?))`,
    JSON.stringify(vectorStoreIds),
  );
  return new Map(rows.map((row) => [row.vector_store_id, { version: row.version, vectors: row.vectors }]));
}

/** Stores holding more than `vectors` vectors. */
export function storesLargerThan(db: SqliteDatabase, table: string, vectors: number): string[] {
  return db
    .all<{ vector_store_id: string }>(`SELECT vector_store_id FROM ${table} WHERE vectors > ?`, vectors)
    .map((row) => row.vector_store_id);
}

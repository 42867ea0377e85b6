import path from 'node:path';
import type { Store } from '../../src/store/store.js';
import { databaseUrlFor, ensureDatabaseFor, type TestBackend, testBackend } from './test-backend.js';

/**
 * The database of the server(s) on a data directory, whichever backend the pass uses: the SQLite file
 * (`<dataDir>/assistants.sqlite`) in pass 1, its PostgreSQL database in pass 2. For tests that read or set rows
 * behind the server's back. The two dialects' tables and columns are the same, so one statement usually serves
 * both: write it with `?` placeholders (they become `$1`, `$2`, … on PostgreSQL) and read JSON columns with
 * `jsonOf` (text on SQLite; text or jsonb on PostgreSQL). Counts come back as numbers on both.
 */
export interface BackendDb {
  readonly backend: TestBackend;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** How many rows the statement changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Opens the database of `dataDir`, runs `work` on it and closes it. */
export async function withBackendDb<T>(dataDir: string, work: (db: BackendDb) => Promise<T>): Promise<T> {
  const db = await openBackendDb(dataDir);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

export async function openBackendDb(dataDir: string): Promise<BackendDb> {
  return testBackend() === 'postgres' ? openPostgres(dataDir) : openSqlite(dataDir);
}

/**
 * The server's own store on the pass's backend, for tests that drive it without a server: the SQLite file under
 * `dataDir` (pass 1), or the PostgreSQL database of `dataDir`, created when missing (pass 2). Migrated on open.
 */
export async function openBackendStore(dataDir: string, options: { vectorDimensions?: number } = {}): Promise<Store> {
  const { openStore } = await import('../../src/store/open-store.js');
  return openStore({
    databaseUrl: testBackend() === 'postgres' ? await ensureDatabaseFor(dataDir) : undefined,
    dataDir,
    vectorDimensions: options.vectorDimensions,
    origin: `test-${process.pid}`,
    // A listening connection that failed reconnects by itself; these tests do not rely on notifications.
    onSignalError: () => {},
  });
}

/**
 * How many chunks the file_search index holds for a file (in any vector store) or for a vector store. The one
 * query the dialects cannot share: SQLite keeps the ids on each chunk row; PostgreSQL numbers stores and files
 * (file_search_scopes, file_search_files) and keeps those numbers on its chunks.
 */
export async function countChunks(
  dataDir: string,
  of: { fileId: string } | { vectorStoreId: string },
): Promise<number> {
  const [column, value] = 'fileId' in of ? ['file_id', of.fileId] : ['vector_store_id', of.vectorStoreId];
  const sql = {
    sqlite: `SELECT count(*) AS count FROM file_search_chunks WHERE ${column} = ?`,
    postgres:
      column === 'file_id'
        ? 'SELECT count(*) AS count FROM file_search_chunks JOIN file_search_files USING (file_key) WHERE file_id = ?'
        : 'SELECT count(*) AS count FROM file_search_chunks JOIN file_search_scopes USING (scope_id) WHERE vector_store_id = ?',
  };
  return withBackendDb(dataDir, async (db) => (await db.get<{ count: number }>(sql[db.backend], [value]))!.count);
}

/** A JSON column's value, parsed: SQLite gives its text, PostgreSQL text (json as text) or the parsed jsonb. */
export function jsonOf<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

async function openSqlite(dataDir: string): Promise<BackendDb> {
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(path.join(dataDir, 'assistants.sqlite'), { fileMustExist: true });
  const params = (values: readonly unknown[]): unknown[] =>
    values.map((value) => (typeof value === 'boolean' ? Number(value) : value));
  return {
    backend: 'sqlite',
    all: async <T>(sql: string, values: readonly unknown[] = []) => database.prepare(sql).all(...params(values)) as T[],
    get: async <T>(sql: string, values: readonly unknown[] = []) =>
      database.prepare(sql).get(...params(values)) as T | undefined,
    run: async (sql: string, values: readonly unknown[] = []) => database.prepare(sql).run(...params(values)).changes,
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      database.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        database.exec('COMMIT');
        return result;
      } catch (error) {
        database.exec('ROLLBACK');
        throw error;
      }
    },
    close: async () => {
      database.close();
    },
  };
}

async function openPostgres(dataDir: string): Promise<BackendDb> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: databaseUrlFor(dataDir),
    // int8 (count(*), sums, bigint columns) as numbers, as SQLite gives them.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  await client.connect();
  const query = (sql: string, values: readonly unknown[]) => client.query(numberedPlaceholders(sql), [...values]);
  return {
    backend: 'postgres',
    all: async <T>(sql: string, values: readonly unknown[] = []) => (await query(sql, values)).rows as T[],
    get: async <T>(sql: string, values: readonly unknown[] = []) => (await query(sql, values)).rows[0] as T | undefined,
    run: async (sql: string, values: readonly unknown[] = []) => (await query(sql, values)).rowCount ?? 0,
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      await client.query('BEGIN');
      try {
        const result = await work();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    close: () => client.end(),
  };
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, …, leaving quoted text alone. */
export function numberedPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === '?' ? `$${++index}` : match));
}

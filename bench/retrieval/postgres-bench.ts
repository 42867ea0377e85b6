import pg from 'pg';
import { PgStore } from '../../src/store/postgres/pg-store.js';

export interface PostgresBench {
  store: PgStore;
  /** The database's URL (for a server started on it). */
  url: string;
  /** VACUUM ANALYZE of the search tables: after a bulk build, what autovacuum does a little later anyway. */
  vacuum(): Promise<void>;
  /** Closes the store and drops the database (kept with BENCH_KEEP_DATABASE=1, to look into it). */
  close(): Promise<void>;
}

/** A fresh database on the server of `serverUrl` for one bench run, dropped by `close`. */
export async function createBenchDatabase(
  serverUrl: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `asst_bench_${label}_${process.pid}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * The PostgreSQL store on a fresh database, as the server opens it; or, with `reuse` (the URL of a database an
 * earlier run kept with BENCH_KEEP_DATABASE=1), on that database, which is then kept again.
 */
export async function openPostgresBench(
  serverUrl: string,
  label: string,
  vectorDimensions: number | undefined,
  reuse?: string,
): Promise<PostgresBench> {
  const database = reuse
    ? { url: reuse, drop: async () => console.log(`kept ${reuse}`) }
    : await createBenchDatabase(serverUrl, label);
  const store = await PgStore.open(database.url, {
    vectorDimensions,
    origin: 'bench',
    onSignalError: (error) => console.error('store signals:', error),
  });
  return {
    store,
    url: database.url,
    async vacuum() {
      const tables = ['file_search_postings', 'file_search_terms', 'file_search_chunks', 'file_search_files'];
      if (vectorDimensions !== undefined) tables.push(`file_search_vectors_${vectorDimensions}`);
      await store.db.run(`VACUUM (ANALYZE) ${tables.join(', ')}`);
    },
    async close() {
      await store.close();
      if (process.env.BENCH_KEEP_DATABASE === '1' && !reuse) console.log(`kept ${database.url}`);
      else await database.drop();
    },
  };
}

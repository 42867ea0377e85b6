import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { removeDataDir, type StartOptions, startTestServer, type TestServer } from '../test/helpers/test-server.js';
import { ProcessCpu } from './process-cpu.js';

/** The stores our server can run on: the embedded SQLite file, or a PostgreSQL database (DATABASE_URL). */
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface BackendSelection {
  backends: Backend[];
  /** A PostgreSQL URL of a role that may create databases (each run creates one and drops it). */
  adminUrl: string | undefined;
  /** Why PostgreSQL is left out, when it is. */
  note: string | undefined;
  /**
   * BENCH_PG_SYNCHRONOUS_COMMIT: `synchronous_commit` for the bench's database (ALTER DATABASE … SET), to see
   * what the WAL flush of each commit costs; unset keeps the cluster's setting (`on` by default).
   */
  synchronousCommit: string | undefined;
}

/**
 * Which backends a bench measures: BENCH_BACKENDS (`sqlite,postgres`, either alone) when set; otherwise both
 * when BENCH_DATABASE_URL or TEST_DATABASE_URL names a PostgreSQL server, else SQLite only with a note.
 */
export function readBackends(env: NodeJS.ProcessEnv = process.env): BackendSelection {
  const adminUrl = env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || undefined;
  const synchronousCommit = env.BENCH_PG_SYNCHRONOUS_COMMIT || undefined;
  if (synchronousCommit !== undefined && !SYNCHRONOUS_COMMIT.includes(synchronousCommit))
    throw new Error(`BENCH_PG_SYNCHRONOUS_COMMIT: one of ${SYNCHRONOUS_COMMIT.join(', ')}`);
  const raw = env.BENCH_BACKENDS?.trim();
  if (!raw) {
    if (adminUrl) return { backends: ['sqlite', 'postgres'], adminUrl, note: undefined, synchronousCommit };
    return {
      backends: ['sqlite'],
      adminUrl,
      synchronousCommit,
      note:
        'PostgreSQL left out: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to the URL of a role that may create ' +
        'databases, e.g. BENCH_DATABASE_URL=$(bash scripts/setup-postgres.sh), to measure it beside SQLite.',
    };
  }
  const backends = [...new Set(raw.split(',').map((name) => name.trim()))];
  for (const name of backends) {
    if (!(BACKENDS as readonly string[]).includes(name))
      throw new Error(`BENCH_BACKENDS: unknown backend '${name}' (known: ${BACKENDS.join(', ')})`);
  }
  if (backends.includes('postgres') && !adminUrl)
    throw new Error('BENCH_BACKENDS names postgres: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) too');
  // Always in the same order, so reports read the same whatever order the variable lists them in.
  return { backends: BACKENDS.filter((name) => backends.includes(name)), adminUrl, note: undefined, synchronousCommit };
}

const SYNCHRONOUS_COMMIT = ['on', 'off', 'local', 'remote_write', 'remote_apply'];

/** A database created for one bench run on the server of `adminUrl`; `drop` removes it (connections and all). */
export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(
  adminUrl: string,
  label: string,
  synchronousCommit?: string,
): Promise<BenchDatabase> {
  const name = `asst_bench_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  // Before any connection of the server: a database's settings apply to the sessions opened after them.
  if (synchronousCommit !== undefined)
    await adminQuery(
      adminUrl,
      `ALTER DATABASE ${pg.escapeIdentifier(name)} SET synchronous_commit = ${synchronousCommit}`,
    );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    },
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Our server on one backend, with the meters that read its CPU time (and its database's, on PostgreSQL). */
export interface BackendServer {
  backend: Backend;
  server: TestServer;
  /** Our server's process. */
  serverCpu: ProcessCpu;
  /** The PostgreSQL backends serving this server's database (its pool and its LISTEN connection). */
  databaseCpu: ProcessCpu | undefined;
  database: BenchDatabase | undefined;
  /** Stops the server, removes its data folder and drops its database. */
  stop(): Promise<void>;
}

/**
 * Starts the real server (test/helpers/test-server.ts) on `backend`: SQLite in its temporary DATA_DIR, or
 * PostgreSQL in a fresh database of its own (DATABASE_URL; the server applies its migrations as it starts).
 * File bytes stay on disk in both cases.
 */
export async function startBackendServer(
  backend: Backend,
  selection: BackendSelection,
  label: string,
  options: StartOptions = {},
): Promise<BackendServer> {
  let database: BenchDatabase | undefined;
  if (backend === 'postgres') {
    if (!selection.adminUrl) throw new Error('postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL');
    database = await createBenchDatabase(selection.adminUrl, label, selection.synchronousCommit);
    trackForInterrupt(database);
  }
  let server: TestServer;
  try {
    server = await startTestServer({
      ...options,
      env: { ...options.env, ...(database ? { DATABASE_URL: database.url } : {}) },
    });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  return {
    backend,
    server,
    serverCpu: ProcessCpu.ofPid(server.pid),
    databaseCpu: database ? ProcessCpu.ofDatabase(database.name) : undefined,
    database,
    async stop() {
      await server.stop();
      removeDataDir(server);
      await database?.drop();
      if (database) pendingDrops.delete(database);
    },
  };
}

const pendingDrops = new Set<BenchDatabase>();

/** Ctrl-C in the middle of a bench still drops the databases it created. */
function trackForInterrupt(database: BenchDatabase): void {
  if (pendingDrops.size === 0) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`${signal}: dropping the bench databases`);
        void Promise.allSettled([...pendingDrops].map((entry) => entry.drop())).then(() => process.exit(130));
      });
    }
  }
  pendingDrops.add(database);
}

/**
 * The test helpers put servers on PostgreSQL + S3 when TEST_BACKEND=postgres (the test runner's second pass);
 * a bench chooses its backends itself, so that variable must not reach them.
 */
export function ignoreTestBackend(): void {
  delete process.env.TEST_BACKEND;
}

/** Where each server keeps its data, for the preamble (the pids name the CPU profiles). */
export function describeServer(entry: BackendServer, selection: BackendSelection): string {
  if (!entry.database) return `sqlite: ${entry.server.dataDir}/assistants.sqlite, server pid ${entry.server.pid}`;
  const sync =
    selection.synchronousCommit === undefined
      ? "the cluster's synchronous_commit"
      : `synchronous_commit = ${selection.synchronousCommit} (BENCH_PG_SYNCHRONOUS_COMMIT)`;
  return `postgres: database ${entry.database.name}, default DATABASE_POOL_SIZE, ${sync}, server pid ${entry.server.pid}`;
}

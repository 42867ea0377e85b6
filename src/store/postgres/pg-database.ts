import pg from 'pg';

// bigint (int8) columns — seq, counts, sums — come back as JS numbers: every value we store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

/** A connection or the pool: what a repository needs to run statements, inside a transaction or not. */
export interface PgQueryable {
  /** All rows. */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** How many rows the statement changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

class Queryable implements PgQueryable {
  constructor(private readonly target: pg.Pool | pg.PoolClient) {}

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.target.query(statement(sql, params))).rows as T[];
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.target.query(statement(sql, params))).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.target.query(statement(sql, params))).rowCount ?? 0;
  }
}

/** Names of the statements prepared so far, by their text; each connection prepares a name on its first use. */
const preparedNames = new Map<string, string>();
/** Statements beyond this many distinct texts run unprepared (dynamic SQL must not fill every connection up). */
const MAX_PREPARED = 1_000;

/**
 * A statement with parameters runs as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call (measured: about half the database's CPU per read). Statements without
 * parameters (schema steps, several statements in one text) run as they are.
 */
function statement(sql: string, params: readonly unknown[]): pg.QueryConfig {
  const values = params.map(withoutNul);
  if (values.length === 0) return { text: sql };
  let name = preparedNames.get(sql);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `s${preparedNames.size}`;
    preparedNames.set(sql, name);
  }
  return name === undefined ? { text: sql, values } : { name, text: sql, values };
}

/**
 * PostgreSQL text cannot hold U+0000, which SQLite (and a URL's `%00`) can: a lookup by such a value would fail
 * instead of finding nothing. JSON documents never carry a raw one (JSON.stringify escapes it), and the ids and
 * names in other columns are the server's own, so a NUL only ever comes in a value looked up; U+FFFF, a
 * noncharacter no stored value holds, keeps it matching nothing.
 */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFF') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  return value;
}

export interface PgDatabaseOptions {
  /** Connections this process keeps at most. */
  maxConnections?: number;
}

/** A pool of connections to one PostgreSQL database, with one transaction helper. */
export class PgDatabase implements PgQueryable {
  readonly pool: pg.Pool;
  readonly #queryable: Queryable;

  constructor(connectionString: string, options: PgDatabaseOptions = {}) {
    this.pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 20 });
    // An idle connection the server dropped (restart, failover) must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
    this.#queryable = new Queryable(this.pool);
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#queryable.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.#queryable.get<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.#queryable.run(sql, params);
  }

  /**
   * Runs `work` in one READ COMMITTED transaction on one connection; commits when it resolves, rolls back
   * when it throws (and rethrows). Rows that must not change underneath are locked with SELECT … FOR UPDATE.
   */
  async transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(new Queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is dropped from the pool instead of reused.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

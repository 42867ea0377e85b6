import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';

interface QueuedWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The subset of better-sqlite3 the store uses, a statement cache, and group commit: `write` queues work, and the
 * writes queued in one event-loop turn — by requests and by runs alike — commit together in one transaction, each
 * in a savepoint of its own (one failing write rolls back only itself). A write resolves once its transaction has
 * committed, so a request is answered only after its data is durable; one COMMIT (and one WAL append) serves many
 * writes, which is what makes SQLite fast under concurrent load.
 */
export class SqliteDatabase {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #queue: QueuedWrite[] = [];
  #flushScheduled = false;

  constructor(filename: string, options: { checkpointOnCommit?: boolean } = {}) {
    this.#db = new Database(filename);
    this.#db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL is durable across process crashes (kill -9); only an OS crash
    // can lose the last transactions, which is SQLite's recommended trade-off for WAL.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    // Checkpoints copy the WAL into the database file; run on a commit they stall the event loop. The store runs
    // them from a worker thread instead (WalCheckpointer), unless told to keep SQLite's automatic ones.
    if (options.checkpointOnCommit === false) this.#db.pragma('wal_autocheckpoint = 0');
  }

  statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.statement(sql).run(...params);
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  pragma(source: string): unknown {
    return this.#db.pragma(source, { simple: true });
  }

  /**
   * Runs `work` (which may read and write, but cannot await) inside the next group commit and resolves with its
   * result once that commit is durable; rejects with what `work` threw, having rolled back only `work`'s changes.
   * better-sqlite3 is synchronous, so nothing interleaves with `work`: read-then-write needs no further locking.
   */
  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#flushScheduled) return;
      this.#flushScheduled = true;
      // After the I/O of this turn: every request parsed in it has queued its write by then.
      setImmediate(() => this.#flush());
    });
  }

  /** A write run alone and at once (start-up, migrations, schema changes): no caller is waiting on a batch. */
  transaction<T>(work: () => T): T {
    this.statement('BEGIN IMMEDIATE').run();
    try {
      const result = work();
      this.statement('COMMIT').run();
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.statement('ROLLBACK').run();
      throw error;
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.statement('BEGIN IMMEDIATE').run();
      for (const queued of batch) {
        this.statement('SAVEPOINT w').run();
        try {
          outcomes.push({ ok: true, value: queued.work() });
          this.statement('RELEASE w').run();
        } catch (error) {
          this.statement('ROLLBACK TO w').run();
          this.statement('RELEASE w').run();
          outcomes.push({ ok: false, error });
        }
      }
      this.statement('COMMIT').run();
    } catch (error) {
      // BEGIN or COMMIT failed (disk full, I/O error): nothing of the batch is stored.
      if (this.#db.inTransaction) this.statement('ROLLBACK').run();
      for (const queued of batch) queued.reject(error);
      return;
    }
    batch.forEach((queued, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }

  /** Loads sqlite-vec (vector search); its binary ships inside the npm package. */
  loadVectorExtension(): void {
    sqliteVec.load(this.#db);
  }

  /** Commits what is still queued, then closes the file. */
  close(): void {
    if (this.#queue.length > 0) this.#flush();
    this.#db.close();
  }
}

import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';

/** The subset of better-sqlite3 the store uses, plus a statement cache and one transaction helper. */
export class SqliteDatabase {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(filename: string) {
    this.#db = new Database(filename);
    this.#db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL is durable across process crashes (kill -9); only an OS crash
    // can lose the last transactions, which is SQLite's recommended trade-off for WAL.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
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
   * Runs `work` in one transaction. better-sqlite3 is synchronous, so the work cannot await:
   * nothing else can interleave, which is why SQLite needs no further locking.
   */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  /** Loads sqlite-vec (vector search); its binary ships inside the npm package. */
  loadVectorExtension(): void {
    sqliteVec.load(this.#db);
  }

  close(): void {
    this.#db.close();
  }
}

import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

/** What the bench sends sqlite-ceiling.ts's process: insert for `seconds`, into a fresh thread, rows shaped like `message`. */
export interface InsertRequest {
  id: number;
  seconds: number;
  /** A message as our server stored and returned it (its JSON is each row's `data`, with the row's own id). */
  message: { id: string; thread_id: string } & Record<string, unknown>;
}

export interface InsertSample {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/** Rows per transaction: "batched" as issue #12 measured it (about 26k rows/s at 100, 10k at 1). */
export const ROWS_PER_TRANSACTION = 100;

type InsertReply = { id: number; sample: InsertSample };

/** sqlite-ceiling.ts in its own process, started once (one database file) and asked for one measurement at a time. */
export class SqliteCeiling {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (sample: InsertSample) => void; reject: (error: Error) => void }>();
  #nextId = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: InsertReply) => {
      this.#waiting.get(reply.id)?.resolve(reply.sample);
      this.#waiting.delete(reply.id);
    });
    child.once('exit', (code) => {
      for (const waiting of this.#waiting.values()) waiting.reject(new Error(`SQLite ceiling exited (${code})`));
      this.#waiting.clear();
    });
  }

  static start(): SqliteCeiling {
    const child = fork(path.join(import.meta.dirname, 'sqlite-ceiling.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new SqliteCeiling(child);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Inserts rows shaped like `message` into a fresh thread for `seconds`, and resolves with the rate. */
  insert(message: InsertRequest['message'], seconds: number): Promise<InsertSample> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#child.send({ id, seconds, message } satisfies InsertRequest);
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.disconnect();
    await exited;
  }
}

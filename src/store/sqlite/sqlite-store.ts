import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store.js';
import { SqliteAssistants } from './assistants.js';
import { SqliteContainers } from './containers.js';
import { SqliteFileSearchIndex, type VectorIndexOptions } from './file-search-index.js';
import { SqliteFiles } from './files.js';
import { SqliteMessages } from './messages.js';
import { migrate } from './migrations.js';
import { SqliteRuns } from './runs.js';
import { SqliteDatabase } from './sqlite-database.js';
import { SqliteThreads } from './threads.js';
import { SqliteUploads } from './uploads.js';
import { SqliteVectorStores } from './vector-stores.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteStoreOptions {
  /** Embedding size when vector search is enabled; keyword search only when undefined. */
  vectorDimensions?: number | undefined;
  /** The approximate vector index of large stores (its defaults in production; tests lower `exactMax`). */
  vectorIndex?: VectorIndexOptions;
}

/** The embedded store: one SQLite file in WAL mode, migrated on open. */
export class SqliteStore implements Store {
  readonly assistants: SqliteAssistants;
  readonly threads: SqliteThreads;
  readonly messages: SqliteMessages;
  readonly files: SqliteFiles;
  readonly uploads: SqliteUploads;
  readonly runs: SqliteRuns;
  readonly vectorStores: SqliteVectorStores;
  readonly fileSearch: SqliteFileSearchIndex;
  readonly containers: SqliteContainers;
  /** One process owns the file: there is nobody to signal. */
  readonly signals = undefined;
  /** One worker: a thread's session is always this process's. */
  readonly codeSessions = undefined;
  readonly #db: SqliteDatabase;
  #checkpointer: WalCheckpointer | undefined;

  constructor(db: SqliteDatabase, options: SqliteStoreOptions = {}) {
    this.#db = db;
    this.assistants = new SqliteAssistants(db);
    this.threads = new SqliteThreads(db);
    this.messages = new SqliteMessages(db);
    this.files = new SqliteFiles(db);
    this.uploads = new SqliteUploads(db);
    this.runs = new SqliteRuns(db);
    this.vectorStores = new SqliteVectorStores(db);
    this.containers = new SqliteContainers(db);
    this.fileSearch = new SqliteFileSearchIndex(db, options.vectorDimensions, undefined, options.vectorIndex);
  }

  static open(filename: string, options: SqliteStoreOptions = {}): SqliteStore {
    const inMemory = filename === ':memory:';
    if (!inMemory) mkdirSync(path.dirname(filename), { recursive: true });
    const db = new SqliteDatabase(filename, { checkpointOnCommit: inMemory });
    migrate(db);
    // Saved beside the database, and read by its worker through a connection of its own (not in memory).
    const vectorIndex = inMemory ? options.vectorIndex : { filename, ...options.vectorIndex };
    const store = new SqliteStore(db, { ...options, vectorIndex });
    if (!inMemory) store.#checkpointer = WalCheckpointer.start(filename);
    return store;
  }

  async close(): Promise<void> {
    await this.fileSearch.close();
    this.#db.close();
    await this.#checkpointer?.close();
  }
}

import type { Store } from '../store.js';
import { PgAssistants } from './assistants.js';
import { PgCodeSessions } from './code-sessions.js';
import { PgContainers } from './containers.js';
import { PgFileSearchIndex } from './file-search-index.js';
import { PgFiles } from './files.js';
import { PgMessages } from './messages.js';
import { migratePostgres } from './migrations.js';
import { PgDatabase } from './pg-database.js';
import { PgSignals } from './pg-signals.js';
import { PgRuns } from './runs.js';
import { PgThreads } from './threads.js';
import { PgUploads } from './uploads.js';
import { PgVectorStores } from './vector-stores.js';

export interface PgStoreOptions {
  /** Embedding size when vector search is enabled; keyword search only when undefined. */
  vectorDimensions?: number | undefined;
  /** Vector searches allowing at most this many chunks compute every distance instead of walking HNSW. */
  exactVectorMax?: number | undefined;
  /** Connections this process keeps at most. */
  maxConnections?: number;
  /** Names this process in run-event notifications (see PgRuns). */
  origin: string;
  /** A listening connection failed (it reconnects by itself). */
  onSignalError: (error: unknown) => void;
}

/** The scale-out store: one PostgreSQL database shared by any number of API and worker processes. */
export class PgStore implements Store {
  readonly assistants: PgAssistants;
  readonly threads: PgThreads;
  readonly messages: PgMessages;
  readonly files: PgFiles;
  readonly uploads: PgUploads;
  readonly runs: PgRuns;
  readonly vectorStores: PgVectorStores;
  readonly fileSearch: PgFileSearchIndex;
  readonly containers: PgContainers;
  readonly codeSessions: PgCodeSessions;

  private constructor(
    readonly db: PgDatabase,
    fileSearch: PgFileSearchIndex,
    readonly signals: PgSignals,
    origin: string,
  ) {
    this.assistants = new PgAssistants(db);
    this.threads = new PgThreads(db);
    this.messages = new PgMessages(db);
    this.files = new PgFiles(db);
    this.uploads = new PgUploads(db);
    this.runs = new PgRuns(db, origin);
    this.vectorStores = new PgVectorStores(db);
    this.containers = new PgContainers(db);
    this.fileSearch = fileSearch;
    this.codeSessions = new PgCodeSessions(db);
  }

  /** Connects, applies pending migrations (one process at a time) and prepares the search index. */
  static async open(connectionString: string, options: PgStoreOptions): Promise<PgStore> {
    const db = new PgDatabase(connectionString, { maxConnections: options.maxConnections });
    try {
      await migratePostgres(db);
      const fileSearch = await PgFileSearchIndex.open(
        db,
        options.vectorDimensions,
        options.exactVectorMax === undefined ? {} : { vectorSearch: { exactMax: options.exactVectorMax } },
      );
      const signals = new PgSignals(connectionString, db.pool, options.onSignalError);
      await signals.start();
      return new PgStore(db, fileSearch, signals, options.origin);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.signals.close();
    await this.db.close();
  }
}

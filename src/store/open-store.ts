import path from 'node:path';
import { PgStore } from './postgres/pg-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface StoreSettings {
  /** `postgres://…` selects PostgreSQL; undefined, the embedded SQLite file under `dataDir`. */
  databaseUrl: string | undefined;
  /** Connections to PostgreSQL this process keeps at most (default 20). */
  databasePoolSize?: number | undefined;
  dataDir: string;
  /** Embedding size when vector search is enabled; keyword search only when undefined. */
  vectorDimensions: number | undefined;
  /** Vector stores (or filtered parts of them) with at most this many vectors are searched exactly (default 20,000). */
  exactVectorMax?: number | undefined;
  /** Names this process to the others sharing a PostgreSQL store. */
  origin: string;
  onSignalError: (error: unknown) => void;
  /** What went wrong in SQLite's approximate vector index (it then searches exactly, or rebuilds). */
  onVectorIndexLog?: (message: string) => void;
}

/** The store the settings name: PostgreSQL (shared by many processes) or the embedded SQLite file. */
export async function openStore(settings: StoreSettings): Promise<Store> {
  if (settings.databaseUrl !== undefined) {
    return PgStore.open(settings.databaseUrl, {
      vectorDimensions: settings.vectorDimensions,
      exactVectorMax: settings.exactVectorMax,
      maxConnections: settings.databasePoolSize,
      origin: settings.origin,
      onSignalError: settings.onSignalError,
    });
  }
  return SqliteStore.open(path.join(settings.dataDir, 'assistants.sqlite'), {
    vectorDimensions: settings.vectorDimensions,
    vectorIndex: { exactMax: settings.exactVectorMax, log: settings.onVectorIndexLog },
  });
}

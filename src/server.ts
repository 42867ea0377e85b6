import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { DiskBlobStore } from './files/disk-blob-store.js';
import { buildApp } from './http/app.js';
import { createServices } from './services/index.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** The address actually bound (useful with PORT=0). */
  url: string;
  close(): Promise<void>;
}

/** Opens the store and blob folder under DATA_DIR, builds the app and listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  if (config.databaseUrl) {
    throw new Error('DATABASE_URL is set, but the PostgreSQL store is not available yet; unset it to use the embedded SQLite store.');
  }
  const store = SqliteStore.open(path.join(config.dataDir, 'assistants.sqlite'));
  const blobs = new DiskBlobStore(path.join(config.dataDir, 'blobs'));
  const services = createServices({ store, blobs, maxFileBytes: config.maxFileBytes, maxMessagesPerThread: config.maxMessagesPerThread });
  const app = await buildApp({
    services,
    blobs,
    apiKeys: config.apiKeys,
    bodyLimitBytes: config.bodyLimitBytes,
    maxFileBytes: config.maxFileBytes,
    logger: { level: config.logLevel },
  });
  if (config.apiKeys === undefined) {
    app.log.warn('API_KEYS is not set: the server runs WITHOUT AUTHENTICATION and accepts any bearer token (project "default")');
  }
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  app.log.info({ url, dataDir: config.dataDir }, `assistants-server listening on ${url}`);
  return {
    app,
    store,
    url,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

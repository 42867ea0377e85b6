import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Config } from './config.js';
import { type BlobStoreSettings, type OpenedBlobStore, openBlobStore } from './files/open-blob-store.js';
import { buildApp } from './http/app.js';
import { ServerMetrics, storeMetricSources } from './metrics/index.js';
import { createProviderRegistry, createTokenCountPool } from './providers/index.js';
import { imageLoader } from './runs/load-image.js';
import { RunEventBus } from './runs/run-event-bus.js';
import { RunTools } from './runs/run-tools.js';
import { RunWorker } from './runs/run-worker.js';
import { RunWriter } from './runs/run-writer.js';
import { createServices } from './services/index.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';
import { removeOrphanedWorkDirs } from './tools/code-interpreter/work-dir-claims.js';
import { createBuiltinTools } from './tools/create-builtin-tools.js';
import { FileIngestion, monitorEmbeddings } from './tools/file-search/file-ingestion.js';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** The address actually bound (useful with PORT=0). */
  url: string;
  close(): Promise<void>;
}

/**
 * Wires the embedded default: the SQLite store and blob folder under DATA_DIR, the model providers,
 * the in-process run worker, the services and the HTTP app; then listens.
 */
export async function startServer(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  if (config.databaseUrl) {
    throw new Error(
      'DATABASE_URL is set, but the PostgreSQL store is not available yet; unset it to use the embedded SQLite store.',
    );
  }
  const logger = pino({ level: config.logLevel });
  const startedAtMs = Date.now();
  const { blobs, removeLeftovers } = await openBlobStoreQuietly(config.blobStore);
  // What crashed processes left: partial uploads, and sandbox work dirs of sessions no live process holds.
  try {
    const leftovers = {
      partialBlobs: await removeLeftovers(startedAtMs),
      workDirs: await removeOrphanedWorkDirs(config.codeInterpreterDir),
    };
    if (leftovers.partialBlobs + leftovers.workDirs > 0) logger.info(leftovers, 'removed what stopped processes left');
  } catch (error) {
    logger.warn({ err: error }, 'could not remove what stopped processes left');
  }
  const providers = createProviderRegistry({
    modelsConfigPath: config.modelsConfigPath,
    openaiBaseURL: config.openaiBaseUrl,
    openaiApiKey: config.openaiApiKey,
    embeddingModel: config.embeddingModel,
    embeddingDimensions: config.embeddingDimensions,
    env,
  });
  const embeddings = monitorEmbeddings(providers.embeddingModel(), config, logger);
  const store = SqliteStore.open(path.join(config.dataDir, 'assistants.sqlite'), {
    vectorDimensions: embeddings?.dimensions,
  });
  const ingestion = new FileIngestion({ settings: config, store, blobs, embeddings, log: logger });
  const builtins = await createBuiltinTools({ config, store, blobs, embeddings, log: logger });
  const bus = new RunEventBus();
  const writer = new RunWriter(store.runs, bus);
  const tokenCounts = createTokenCountPool({
    onError: (error) => logger.error({ err: error }, 'a token-count worker failed'),
  });
  const worker = new RunWorker(
    {
      store,
      log: logger,
      tools: new RunTools(store, builtins.tools),
      writer,
      tokenCounts,
      chatModel: (modelId) => providers.chatModel(modelId),
      loadImage: imageLoader(store, blobs),
      settings: {
        maxModelCalls: config.maxModelCallsPerRun,
        retry: {
          maxRetries: config.upstreamMaxRetries,
          initialDelayMs: 500,
          maxDelayMs: 8_000,
          firstPartTimeoutMs: config.upstreamFirstTokenTimeoutMs,
          onRetry: (error, attempt, delayMs) =>
            logger.warn({ err: error, attempt, delayMs }, 'retrying the upstream model call'),
        },
        defaultContextWindow: config.defaultContextWindow,
        replyReserveTokens: 4096,
        expiresAfterSeconds: config.runExpiresAfterSeconds,
      },
    },
    {
      concurrency: config.runConcurrency,
      leaseMs: 30_000,
      sweepIntervalMs: config.runSweepIntervalMs,
      soleWorker: true,
    },
    logger,
  );
  const services = createServices({
    store,
    blobs,
    maxFileBytes: config.maxFileBytes,
    maxMessagesPerThread: config.maxMessagesPerThread,
    projectStorageLimitGb: config.projectStorageLimitGb,
    runExpiresAfterSeconds: config.runExpiresAfterSeconds,
    runEngine: { writer, scheduler: worker, bus },
    ingestion,
    fileText: ingestion,
    embeddings,
    onThreadDeleted: async (threadId) => builtins.sessions?.close(threadId),
  });
  const app = await buildApp({
    services,
    blobs,
    apiKeys: config.apiKeys,
    bodyLimitBytes: config.bodyLimitBytes,
    maxFileBytes: config.maxFileBytes,
    logger,
    metrics: new ServerMetrics(storeMetricSources(store, () => builtins.sessions?.size ?? 0)),
    metricsToken: config.metricsToken,
    rateLimits: config.rateLimits,
  });
  if (config.apiKeys === undefined) {
    app.log.warn(
      'API_KEYS is not set: the server runs WITHOUT AUTHENTICATION and accepts any bearer token (project "default")',
    );
  }
  await worker.start();
  ingestion.start();
  // Node's default listen queue (511) overflows when hundreds of clients connect at once.
  await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
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
      await worker.stop();
      await tokenCounts.close();
      await ingestion.stop();
      await builtins.sessions?.closeAll();
      await blobs.close();
      await store.close();
    },
  };
}

/**
 * `openBlobStore`, minus a notice: with BLOB_STORE=s3 on Node 20 the AWS SDK warns on stderr, at each start, that its
 * releases from 2027 need Node 22. That is for whoever upgrades the pinned SDK, not for operators, and it would be
 * the server's only output that is not a JSON log line. Setting the variable to anything but `true` shows it again.
 */
async function openBlobStoreQuietly(settings: BlobStoreSettings): Promise<OpenedBlobStore> {
  if (settings.kind === 's3') process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return openBlobStore(settings);
}

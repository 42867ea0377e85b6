import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { type Config, ConfigError, DEFAULT_OPENAI_BASE_URL } from './config.js';
import type { BlobStore } from './files/blob-store.js';
import { type BlobStoreSettings, type OpenedBlobStore, openBlobStore } from './files/open-blob-store.js';
import { buildApp } from './http/app.js';
import type { Logger } from './logger.js';
import { ServerMetrics, storeMetricSources } from './metrics/index.js';
import { createProviderRegistry, createTokenCountPool, type ProviderRegistry } from './providers/index.js';
import { RunEventBus } from './runs/run-event-bus.js';
import type { RunScheduler } from './runs/run-scheduler.js';
import { RunWriter } from './runs/run-writer.js';
import { createServices } from './services/index.js';
import { openStore } from './store/open-store.js';
import { SIGNAL, type Store, type StoreSignals } from './store/store.js';
import { removeOrphanedWorkDirs } from './tools/code-interpreter/work-dir-claims.js';
import type { MonitoredEmbeddingModel } from './tools/file-search/embedding-monitor.js';
import { FileIngestion, monitorEmbeddings } from './tools/file-search/file-ingestion.js';
import { startWorkers, type Workers } from './workers.js';

/** What one process runs: the HTTP API (`serve`), the workers (`worker`), or both (the default). */
export type ServerRole = 'all' | 'api' | 'worker';

export interface RunningServer {
  /** The HTTP app; undefined in a worker-only process. */
  app: FastifyInstance | undefined;
  store: Store;
  log: Logger;
  /** The address actually bound (useful with PORT=0); undefined in a worker-only process. */
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * Wires a process: the store (SQLite under DATA_DIR, or PostgreSQL), the blob store, the model providers, and
 * then its role's parts — the services and the HTTP app for the API, the run worker and file ingestion for
 * workers. On PostgreSQL any number of each share one database; SQLite has one process doing both.
 */
export async function startServer(
  config: Config,
  role: ServerRole = 'all',
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel });
  if (role !== 'all' && config.databaseUrl === undefined) {
    // One process owns the SQLite file: it must execute the runs its API accepts.
    if (role === 'worker') {
      throw new ConfigError(
        "'worker' runs beside API processes on a shared PostgreSQL database (DATABASE_URL); with the embedded SQLite store, one process does both: run 'assistants-server'.",
      );
    }
    logger.info('the embedded SQLite store serves one process: it runs the workers too');
    role = 'all';
  }
  const startedAtMs = Date.now();
  const origin = randomUUID();
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
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    databasePoolSize: config.databasePoolSize,
    dataDir: config.dataDir,
    vectorDimensions: embeddings?.dimensions,
    exactVectorMax: config.fileSearchExactMax,
    origin,
    onSignalError: (error) => logger.warn({ err: error }, 'the connection listening for other processes failed'),
    onVectorIndexLog: (message) => logger.warn(`approximate vector index: ${message}`),
  });
  const signals = store.signals;
  const bus = new RunEventBus();
  if (signals) {
    // Appends made by other processes: streams here reread the log. Our own appends reached the bus directly.
    await signals.subscribe(SIGNAL.runEvents, (payload) => {
      const [runId, from] = payload.split(' ');
      if (runId && from !== origin) bus.notify(runId);
    });
    // A thread deleted elsewhere took its runs' logs along: streams following them here reread and end.
    await signals.subscribe(SIGNAL.threadDeleted, () => bus.notifyAll());
    signals.onReconnect(() => bus.notifyAll());
  }
  const writer = new RunWriter(store.runs, bus);
  // Extraction for the file content endpoint runs wherever the API does; ingestion itself only in workers.
  const ingestion = new FileIngestion({
    settings: config,
    store,
    blobs,
    embeddings,
    log: logger,
    soleWorker: signals === undefined,
  });
  const workers =
    role === 'api'
      ? undefined
      : await startWorkers({ config, store, blobs, providers, embeddings, ingestion, writer, log: logger });
  const app =
    role === 'worker'
      ? undefined
      : await startApi({
          config,
          store,
          blobs,
          providers,
          embeddings,
          ingestion,
          writer,
          bus,
          workers,
          origin,
          logger,
        });

  let url: string | undefined;
  if (app) {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info(
      { url, role, dataDir: config.dataDir },
      `assistants-server listening on ${url} (the Playground: ${url}/playground)`,
    );
  } else {
    logger.info(
      { role, runWorker: workers?.runs.owner, ingestionWorker: ingestion.worker.owner },
      'assistants-server worker started',
    );
  }
  return {
    app,
    store,
    log: logger,
    url,
    async close() {
      await app?.close();
      await workers?.stop();
      if (!workers) await ingestion.stop();
      await blobs.close();
      await store.close();
    },
  };
}

interface ApiDependencies {
  config: Config;
  store: Store;
  blobs: BlobStore;
  providers: ProviderRegistry;
  embeddings: MonitoredEmbeddingModel | undefined;
  ingestion: FileIngestion;
  writer: RunWriter;
  bus: RunEventBus;
  /** This process's workers, when it has them. */
  workers: Workers | undefined;
  origin: string;
  logger: pino.Logger;
}

/** The API side: the services over the store and run engine, and the HTTP app, listening. */
async function startApi(deps: ApiDependencies): Promise<FastifyInstance> {
  const { config, store, ingestion, workers, origin, logger } = deps;
  const signals = store.signals;
  // The API's own pool (threads start on first use): input token counts never wait behind a worker's runs.
  const tokenCounts = createTokenCountPool({
    onError: (error) => logger.error({ err: error }, 'a token-count worker failed'),
  });
  const services = createServices({
    store,
    blobs: deps.blobs,
    maxFileBytes: config.maxFileBytes,
    maxMessagesPerThread: config.maxMessagesPerThread,
    projectStorageLimitGb: config.projectStorageLimitGb,
    runExpiresAfterSeconds: config.runExpiresAfterSeconds,
    runEngine: { writer: deps.writer, scheduler: runScheduler(workers, signals, origin, logger), bus: deps.bus },
    ingestion: {
      wake: () => {
        if (workers) ingestion.wake();
        publish(signals, SIGNAL.filesQueued, origin, logger);
      },
    },
    fileText: ingestion,
    embeddings: deps.embeddings,
    onThreadDeleted: async (threadId) => {
      // Streams following the thread's runs reread their logs, find the runs gone and end.
      deps.bus.notifyAll();
      await workers?.sessions?.close(threadId);
      publish(signals, SIGNAL.threadDeleted, threadId, logger);
    },
    onContainerClosed: async (containerId) => {
      await workers?.sessions?.close(containerId);
      publish(signals, SIGNAL.containerClosed, containerId, logger);
    },
    models: deps.providers,
    tokenCounts,
  });
  const app = await buildApp({
    services,
    blobs: deps.blobs,
    apiKeys: config.apiKeys,
    bodyLimitBytes: config.bodyLimitBytes,
    maxFileBytes: config.maxFileBytes,
    logger,
    metrics: new ServerMetrics(storeMetricSources(store, () => workers?.sessions?.size ?? 0)),
    metricsToken: config.metricsToken,
    rateLimits: config.rateLimits,
  });
  // Containers idle past their time expire when next used, and by this sweep, which frees their files and sessions.
  const containerSweep = setInterval(() => {
    services.containers.expireDue().catch((error: unknown) => {
      logger.warn({ err: error }, 'could not expire idle containers');
    });
  }, config.runSweepIntervalMs).unref();
  app.addHook('onClose', async () => {
    clearInterval(containerSweep);
    await tokenCounts.close();
  });
  const noProvider =
    config.openaiApiKey === undefined &&
    config.modelsConfigPath === undefined &&
    config.openaiBaseUrl === DEFAULT_OPENAI_BASE_URL;
  if (noProvider) {
    app.log.warn('no model provider is set (OPENAI_API_KEY, OPENAI_BASE_URL or MODELS_CONFIG): runs fail until one is');
  }
  if (config.apiKeys === undefined) {
    app.log.warn(
      'API_KEYS is not set: the server runs WITHOUT AUTHENTICATION and accepts any bearer token (project "default")',
    );
  }
  // Node's default listen queue (511) overflows when hundreds of clients connect at once.
  await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
  return app;
}

/**
 * How the API side gets runs executed: this process's worker when it has one, and a signal to the workers of
 * other processes (they also find queued runs and pending cancels in their periodic sweeps).
 */
function runScheduler(
  workers: Workers | undefined,
  signals: StoreSignals | undefined,
  origin: string,
  log: Logger,
): RunScheduler {
  return {
    wake: () => {
      workers?.runs.wake();
      publish(signals, SIGNAL.runsQueued, origin, log);
    },
    cancel: (runId) => {
      workers?.runs.cancel(runId);
      publish(signals, SIGNAL.runCancelled, runId, log);
    },
  };
}

function publish(signals: StoreSignals | undefined, channel: string, payload: string, log: Logger): void {
  signals?.publish(channel, payload).catch((error: unknown) => {
    log.warn({ err: error, channel }, 'could not signal the other processes (their sweeps will catch up)');
  });
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

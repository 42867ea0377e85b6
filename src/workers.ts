import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import type { BlobStore } from './files/blob-store.js';
import type { Logger } from './logger.js';
import { createTokenCountPool, type ProviderRegistry } from './providers/index.js';
import { imageLoader } from './runs/load-image.js';
import { RunTools } from './runs/run-tools.js';
import { RunWorker } from './runs/run-worker.js';
import type { RunWriter } from './runs/run-writer.js';
import { SIGNAL, type Store } from './store/store.js';
import type { CodeSessions } from './tools/code-interpreter/sessions.js';
import { createBuiltinTools } from './tools/create-builtin-tools.js';
import type { MonitoredEmbeddingModel } from './tools/file-search/embedding-monitor.js';
import type { FileIngestion } from './tools/file-search/file-ingestion.js';

/** What executes work: the run worker and file ingestion, started; `stop` ends both. */
export interface Workers {
  runs: RunWorker;
  sessions: CodeSessions | undefined;
  stop(): Promise<void>;
}

export interface WorkerDependencies {
  config: Config;
  store: Store;
  blobs: BlobStore;
  providers: ProviderRegistry;
  embeddings: MonitoredEmbeddingModel | undefined;
  ingestion: FileIngestion;
  writer: RunWriter;
  log: Logger;
}

/**
 * Starts the worker side of a process (`assistants-server worker`, or both sides): the run worker with its tools
 * and the file ingestion loop. On a shared store it also listens for the API processes' signals: work queued, a
 * cancel, a thread deleted (its code_interpreter session closes); the periodic sweeps catch any signal lost.
 */
export async function startWorkers(deps: WorkerDependencies): Promise<Workers> {
  const { config, store, blobs, providers, log } = deps;
  const owner = `worker-${randomUUID()}`;
  const codeSessions = store.codeSessions;
  const leaseUntil = () => Date.now() + config.runLeaseMs;
  const builtins = await createBuiltinTools({
    config,
    store,
    blobs,
    embeddings: deps.embeddings,
    log,
    // A thread's runs go to the worker holding its live session (PgRuns.claimQueued reads these records).
    sessionAffinity: codeSessions && {
      hold: (threadId) => codeSessions.hold(threadId, owner, leaseUntil()).then(({ replaced }) => replaced),
      release: (threadId) => codeSessions.release(threadId, owner),
    },
  });
  const tokenCounts = createTokenCountPool({
    onError: (error) => log.error({ err: error }, 'a token-count worker failed'),
  });
  const soleWorker = store.signals === undefined;
  const runs = new RunWorker(
    {
      store,
      log,
      tools: new RunTools(store, builtins.tools),
      writer: deps.writer,
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
            log.warn({ err: error, attempt, delayMs }, 'retrying the upstream model call'),
        },
        defaultContextWindow: config.defaultContextWindow,
        replyReserveTokens: 4096,
        expiresAfterSeconds: config.runExpiresAfterSeconds,
      },
    },
    {
      concurrency: config.runConcurrency,
      leaseMs: config.runLeaseMs,
      sweepIntervalMs: config.runSweepIntervalMs,
      soleWorker,
      owner,
    },
    log,
  );
  const signals = store.signals;
  if (signals) {
    await signals.subscribe(SIGNAL.runsQueued, () => runs.wake());
    await signals.subscribe(SIGNAL.runCancelled, (runId) => runs.cancel(runId));
    await signals.subscribe(SIGNAL.filesQueued, () => deps.ingestion.wake());
    await signals.subscribe(SIGNAL.threadDeleted, (threadId) => {
      builtins.sessions?.close(threadId).catch((error: unknown) => {
        log.warn({ err: error, threadId }, "could not close a deleted thread's code_interpreter session");
      });
    });
    await signals.subscribe(SIGNAL.containerClosed, (containerId) => {
      builtins.sessions?.close(containerId).catch((error: unknown) => {
        log.warn({ err: error, containerId }, "could not close a closed container's code_interpreter session");
      });
    });
  }
  await runs.start();
  deps.ingestion.start();
  const sessions = builtins.sessions;
  const renewal =
    codeSessions &&
    sessions &&
    setInterval(() => {
      codeSessions.renew(owner, sessions.threadIds(), leaseUntil()).catch((error: unknown) => {
        log.warn({ err: error }, 'could not renew the records of code_interpreter sessions held here');
      });
    }, config.runSweepIntervalMs).unref();
  return {
    runs,
    sessions,
    async stop() {
      clearInterval(renewal);
      await runs.stop();
      await tokenCounts.close();
      await deps.ingestion.stop();
      await builtins.sessions?.closeAll();
      await codeSessions?.abandon(owner).catch((error: unknown) => {
        log.warn({ err: error }, 'could not mark the code_interpreter sessions held here as gone');
      });
    },
  };
}

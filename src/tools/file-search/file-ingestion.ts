import type { BlobStore } from '../../files/blob-store.js';
import type { Logger } from '../../logger.js';
import type { EmbeddingModel } from '../../providers/index.js';
import type { Store } from '../../store/store.js';
import { MonitoredEmbeddingModel } from './embedding-monitor.js';
import { IngestionPool, type PoolSource, type PoolText } from './ingestion-pool.js';
import { IngestionWorker } from './ingestion-worker.js';
import { VectorBackfill } from './vector-backfill.js';

/** The configuration file ingestion reads (a slice of the server's Config). */
export interface FileIngestionSettings {
  ingestionSweepIntervalMs: number;
  /** How long a claimed file stays this worker's without renewal (ms). */
  ingestionLeaseMs: number;
  ingestionProcesses: number;
  ingestionTaskTimeoutMs: number;
  ingestionTaskMemoryMb: number;
  ingestionMaxDecompressedMb: number;
  ingestionMaxPdfPages: number;
  ingestionMaxTextChars: number;
  embeddingTimeoutMs: number;
  embeddingRetryMaxDelayMs: number;
}

const MB = 1024 * 1024;

/** The embedding model file search uses: the provider's, watched for outages (undefined: keyword search only). */
export function monitorEmbeddings(
  model: EmbeddingModel | undefined,
  settings: Pick<FileIngestionSettings, 'embeddingTimeoutMs'>,
  log: Logger,
): MonitoredEmbeddingModel | undefined {
  return model && new MonitoredEmbeddingModel(model, { timeoutMs: settings.embeddingTimeoutMs }, log);
}

/**
 * Background ingestion of vector store files: the claim loop, the processes that extract and chunk,
 * and the backfill that fills in vectors the embedding provider could not compute at the time.
 */
export class FileIngestion {
  readonly worker: IngestionWorker;
  readonly #pool: IngestionPool;
  readonly #backfill: VectorBackfill | undefined;

  constructor(deps: {
    settings: FileIngestionSettings;
    store: Store;
    blobs: BlobStore;
    embeddings: MonitoredEmbeddingModel | undefined;
    log: Logger;
    /** True when no other process ingests from this store (SQLite): files a previous process held are free. */
    soleWorker: boolean;
  }) {
    const { settings, store, embeddings, log } = deps;
    this.#pool = new IngestionPool({
      processes: settings.ingestionProcesses,
      taskTimeoutMs: settings.ingestionTaskTimeoutMs,
      taskMemoryMb: settings.ingestionTaskMemoryMb,
      limits: {
        maxDecompressedBytes: settings.ingestionMaxDecompressedMb * MB,
        maxPdfPages: settings.ingestionMaxPdfPages,
        maxTextCharacters: settings.ingestionMaxTextChars,
      },
      idleTimeoutMs: 60_000,
    });
    const retry = {
      initialDelayMs: Math.min(1_000, settings.embeddingRetryMaxDelayMs),
      maxDelayMs: settings.embeddingRetryMaxDelayMs,
    };
    this.#backfill = embeddings && new VectorBackfill(store.fileSearch, embeddings, { batchSize: 64, ...retry }, log);
    this.worker = new IngestionWorker(
      { store, blobs: deps.blobs, pool: this.#pool, embeddings, onVectorsMissing: () => this.#backfill?.wake(), log },
      {
        // One file waiting per process keeps the processes busy while the server writes a batch.
        concurrency: settings.ingestionProcesses + 1,
        leaseMs: settings.ingestionLeaseMs,
        sweepIntervalMs: settings.ingestionSweepIntervalMs,
        soleWorker: deps.soleWorker,
      },
    );
  }

  /** Starts claiming files; the backfill's first call tells (and logs) whether the provider answers. */
  start(): void {
    this.worker.start();
    this.#backfill?.start();
  }

  wake(): void {
    this.worker.wake();
  }

  /** A stored file's whole text, extracted by the same processes and under the same limits as ingestion. */
  extractText(file: PoolSource, signal?: AbortSignal): Promise<PoolText> {
    return this.#pool.extract(file, signal);
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.#backfill?.stop();
    await this.#pool.close();
  }
}

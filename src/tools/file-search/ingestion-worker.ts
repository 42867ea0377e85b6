import { randomUUID } from 'node:crypto';
import type { VectorStoreFile } from '../../api/types.js';
import type { BlobStore } from '../../files/blob-store.js';
import { withLocalPath } from '../../files/local-copy.js';
import type { Logger } from '../../logger.js';
import type { EmbeddingModel } from '../../providers/index.js';
import { ClaimPump } from '../../queue/claim-pump.js';
import type { IndexedChunk } from '../../store/file-search-index.js';
import type { Store } from '../../store/store.js';
import type { StoredVectorStoreFile } from '../../store/vector-store-repository.js';
import { defaultAnalyzer } from './analyzer.js';
import { ExtractionError } from './extraction-error.js';
import type { BatchReply } from './ingest-protocol.js';
import type { IngestionPool } from './ingestion-pool.js';

export interface IngestionSettings {
  /** Files processed at once (chunking is CPU work: about one per core). */
  concurrency: number;
  leaseMs: number;
  /** How often the worker looks for waiting files and expires vector stores past their `expires_at`. */
  sweepIntervalMs: number;
  /** The only worker on this store: leases of other owners belong to dead processes. */
  soleWorker: boolean;
}

export interface IngestionDependencies {
  store: Store;
  blobs: BlobStore;
  /** Extracts and chunks files in child processes. */
  pool: IngestionPool;
  /** Undefined: keyword search only. */
  embeddings: EmbeddingModel | undefined;
  /** Chunks were indexed without vectors (the provider failed): the backfill should run. */
  onVectorsMissing?: () => void;
  log: Logger;
}

/** Why a file's work was abandoned when the server shuts down: it stays in progress for the next start. */
class Shutdown extends Error {}

type LastError = NonNullable<VectorStoreFile['last_error']>;

/**
 * Turns vector store files from `in_progress` into searchable chunks in the background. A child process
 * (ingestion-pool.ts) extracts the text (streamed for plain text and PDFs, so memory stays bounded),
 * chunks it by tokens and analyzes the keyword terms; here each batch is embedded when a model is
 * configured and written to the index. A file cancelled or removed meanwhile stops at the next batch and
 * leaves no chunks; any failure ends the file `failed` with a readable `last_error`. When the embedding
 * provider fails, the chunks are indexed for keywords anyway, the file completes, and the vector backfill
 * fills their vectors in later. Its periodic sweep also expires vector stores whose `expires_at` has passed.
 */
export class IngestionWorker {
  readonly owner = `ingest-${randomUUID()}`;
  readonly #pump: ClaimPump<StoredVectorStoreFile>;
  readonly #store: Store;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: IngestionDependencies,
    private readonly settings: IngestionSettings,
  ) {
    const { store, log } = deps;
    this.#store = store;
    this.#log = log;
    this.#pump = new ClaimPump<StoredVectorStoreFile>(
      {
        claim: () => {
          const now = Date.now();
          return store.vectorStores.claimPendingFile(
            this.owner,
            now + settings.leaseMs,
            settings.soleWorker ? Number.MAX_SAFE_INTEGER : now,
          );
        },
        work: (stored, signal) => this.#ingest(stored, signal),
        release: (stored) => store.vectorStores.releaseFile(stored.file.vector_store_id, stored.file.id),
        key: (stored) => `${stored.file.vector_store_id}/${stored.file.id}`,
        onError: (error, key) =>
          log.error({ err: error, key }, key ? 'ingestion failed unexpectedly' : 'claiming files to ingest failed'),
      },
      settings.concurrency,
    );
  }

  start(): void {
    this.#timer = setInterval(() => this.#sweep(), this.settings.sweepIntervalMs);
    this.#timer.unref();
    this.#sweep();
  }

  /** Stops claiming; files being ingested are abandoned, their chunks removed, and resumed at the next start. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#pump.stop(new Shutdown('the server is shutting down'));
  }

  wake(): void {
    this.#pump.wake();
  }

  /** Resolves when nothing is being ingested (tests and benches wait on it). */
  async idle(): Promise<void> {
    await this.#pump.idle();
  }

  #sweep(): void {
    void this.#renewLeases();
    void this.#expireStores();
    this.wake();
  }

  /** Keeps the files being ingested ours: a lease that runs out lets another worker take the file over. */
  async #renewLeases(): Promise<void> {
    const files = this.#pump.keys().map((key) => {
      const [vectorStoreId, fileId] = key.split('/') as [string, string];
      return { vectorStoreId, fileId };
    });
    try {
      await this.#store.vectorStores.renewFileLeases(this.owner, files, Date.now() + this.settings.leaseMs);
    } catch (error) {
      this.#log.error({ err: error }, 'renewing ingestion leases failed');
    }
  }

  /** Marks stores whose `expires_at` has passed as expired (searching them is then refused). */
  async #expireStores(): Promise<void> {
    try {
      const expired = await this.#store.vectorStores.expire(Math.floor(Date.now() / 1000));
      if (expired.length > 0) this.#log.info({ vectorStoreIds: expired }, 'vector stores expired');
    } catch (error) {
      this.#log.error({ err: error }, 'expiring vector stores failed');
    }
  }

  async #ingest(stored: StoredVectorStoreFile, signal: AbortSignal): Promise<void> {
    const { project, file } = stored;
    const vectorStoreId = file.vector_store_id;
    try {
      await this.#store.fileSearch.deleteFile(vectorStoreId, file.id);
      const source = await this.#store.files.get(project, file.id);
      if (!source) throw new ExtractionError('The file no longer exists.', 'unknown');
      const titleTerms = defaultAnalyzer.terms(source.file.filename);
      const onChunks = async (chunks: IndexedChunk[]): Promise<BatchReply> => {
        if (!(await this.#stillWanted(stored))) return 'stop';
        await this.#write(stored, titleTerms, chunks, signal);
        return 'continue';
      };
      const outcome = await withLocalPath(this.deps.blobs, source.blobKey, (path) =>
        this.deps.pool.ingest(
          { source: { path }, filename: source.file.filename, mimeType: source.contentType, chunking: stored.chunking },
          onChunks,
          signal,
        ),
      );
      if (outcome.stopped) return this.#abandon(stored);
      if (outcome.chunkCount === 0) throw new ExtractionError('No text could be extracted from the file.', 'empty');
      await this.#finish(stored, { status: 'completed', usage_bytes: source.file.bytes, last_error: null });
    } catch (error) {
      await this.#store.fileSearch.deleteFile(vectorStoreId, file.id).catch(() => undefined);
      // Shutting down: the file stays in progress and is ingested again at the next start.
      if (signal.aborted && signal.reason instanceof Shutdown) return;
      await this.#finish(stored, { status: 'failed', usage_bytes: 0, last_error: lastErrorOf(error) });
      if (!(error instanceof ExtractionError))
        this.#log.warn({ err: error, fileId: file.id, vectorStoreId }, 'a vector store file failed to ingest');
      else if (error.format === 'limit')
        this.#log.warn(
          { fileId: file.id, vectorStoreId, reason: error.message },
          'a vector store file exceeded an ingestion limit',
        );
    }
  }

  /**
   * Indexes a batch. Its vectors come from the provider when it answers; when it does not, the chunks are
   * indexed for keywords alone (listed as missing vectors) and the backfill is told.
   */
  async #write(
    stored: StoredVectorStoreFile,
    titleTerms: readonly string[],
    chunks: IndexedChunk[],
    signal: AbortSignal,
  ): Promise<void> {
    const { embeddings, onVectorsMissing } = this.deps;
    const vectorsEnabled = embeddings !== undefined && this.#store.fileSearch.vectorDimensions !== undefined;
    let vectors: number[][] | undefined;
    if (vectorsEnabled) {
      vectors = await embeddings
        .embed(
          chunks.map((chunk) => chunk.text),
          signal,
        )
        .catch((error: unknown) => {
          if (signal.aborted) throw error;
          return undefined;
        });
    }
    const { vector_store_id: vectorStoreId, id: fileId } = stored.file;
    await this.#store.fileSearch.addChunks(vectorStoreId, fileId, chunks, titleTerms, vectors);
    if (vectorsEnabled && vectors === undefined) onVectorsMissing?.();
  }

  /** The file is still in this store and in progress (not cancelled, removed or re-added). */
  async #stillWanted(stored: StoredVectorStoreFile): Promise<boolean> {
    const current = await this.#store.vectorStores.getFile(stored.project, stored.file.vector_store_id, stored.file.id);
    return current?.file.status === 'in_progress' && current.file.created_at === stored.file.created_at;
  }

  async #abandon(stored: StoredVectorStoreFile): Promise<void> {
    if (await this.#stillWanted(stored)) return;
    await this.#store.fileSearch.deleteFile(stored.file.vector_store_id, stored.file.id);
  }

  async #finish(
    stored: StoredVectorStoreFile,
    outcome: Pick<VectorStoreFile, 'status' | 'usage_bytes' | 'last_error'>,
  ): Promise<void> {
    const current = await this.#store.vectorStores.getFile(stored.project, stored.file.vector_store_id, stored.file.id);
    if (current?.file.status !== 'in_progress') {
      // Cancelled or removed while we worked: whatever we indexed must go.
      if (outcome.status === 'completed')
        await this.#store.fileSearch.deleteFile(stored.file.vector_store_id, stored.file.id);
      return;
    }
    await this.#store.vectorStores.updateFile({ ...current, file: { ...current.file, ...outcome } });
  }
}

function lastErrorOf(error: unknown): LastError {
  if (error instanceof ExtractionError) {
    return { code: error.format === null ? 'unsupported_file' : 'invalid_file', message: error.message };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { code: 'server_error', message: `The file could not be indexed: ${reason}` };
}

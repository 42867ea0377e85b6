import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../../logger.js';
import type { VectorStoreFile } from '../../api/types.js';
import type { BlobStore } from '../../files/blob-store.js';
import { readAll } from '../../files/read-all.js';
import type { EmbeddingModel } from '../../providers/index.js';
import type { Store } from '../../store/store.js';
import type { StoredVectorStoreFile } from '../../store/vector-store-repository.js';
import { ClaimPump } from '../../queue/claim-pump.js';
import { defaultAnalyzer } from './analyzer.js';
import { TokenChunker, type Chunk } from './chunk.js';
import { ExtractionError, extractTextStream } from './extract.js';

export interface IngestionSettings {
  /** Files processed at once (chunking is CPU work: about one per core). */
  concurrency: number;
  leaseMs: number;
  /** How often the worker looks for waiting files and expires vector stores past their `expires_at`. */
  sweepIntervalMs: number;
  /** The only worker on this store: leases of other owners belong to dead processes. */
  soleWorker: boolean;
}

/** Chunks written (and embedded) per transaction. */
const BATCH_CHUNKS = 64;

type LastError = NonNullable<VectorStoreFile['last_error']>;

/**
 * Turns vector store files from `in_progress` into searchable chunks in the background: extract the
 * text (streamed for plain text, so a 50 MB file stays in bounded memory), chunk by tokens, index
 * keywords, embed when a model is configured. A file cancelled or removed meanwhile stops at the
 * next batch and leaves no chunks; any failure ends the file `failed` with a readable `last_error`.
 * Its periodic sweep also expires vector stores whose `expires_at` has passed.
 */
export class IngestionWorker {
  readonly owner = `ingest-${randomUUID()}`;
  readonly #pump: ClaimPump<StoredVectorStoreFile>;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly embeddings: EmbeddingModel | undefined,
    private readonly settings: IngestionSettings,
    private readonly log: Logger,
  ) {
    this.#pump = new ClaimPump<StoredVectorStoreFile>(
      {
        claim: () => {
          const now = Date.now();
          return store.vectorStores.claimPendingFile(this.owner, now + settings.leaseMs, settings.soleWorker ? Number.MAX_SAFE_INTEGER : now);
        },
        work: (stored) => this.#ingest(stored),
        release: (stored) => store.vectorStores.releaseFile(stored.file.vector_store_id, stored.file.id),
        key: (stored) => `${stored.file.vector_store_id}/${stored.file.id}`,
        onError: (error, key) => log.error({ err: error, key }, key ? 'ingestion failed unexpectedly' : 'claiming files to ingest failed'),
      },
      settings.concurrency,
    );
  }

  start(): void {
    this.#timer = setInterval(() => this.#sweep(), this.settings.sweepIntervalMs);
    this.#timer.unref();
    this.#sweep();
  }

  /** Stops claiming and lets the files being ingested finish. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#pump.stop('shutdown');
  }

  wake(): void {
    this.#pump.wake();
  }

  /** Resolves when nothing is being ingested (tests and benches wait on it). */
  async idle(): Promise<void> {
    await this.#pump.idle();
  }

  #sweep(): void {
    void this.#expireStores();
    this.wake();
  }

  /** Marks stores whose `expires_at` has passed as expired (searching them is then refused). */
  async #expireStores(): Promise<void> {
    try {
      const expired = await this.store.vectorStores.expire(Math.floor(Date.now() / 1000));
      if (expired.length > 0) this.log.info({ vectorStoreIds: expired }, 'vector stores expired');
    } catch (error) {
      this.log.error({ err: error }, 'expiring vector stores failed');
    }
  }

  async #ingest(stored: StoredVectorStoreFile): Promise<void> {
    const { project, file } = stored;
    const vectorStoreId = file.vector_store_id;
    try {
      await this.store.fileSearch.deleteFile(vectorStoreId, file.id);
      const source = await this.store.files.get(project, file.id);
      if (!source) throw new ExtractionError('The file no longer exists.', 'unknown');
      const path = this.blobs.localPath?.(source.blobKey);
      const input = path ? { path } : { bytes: await readAll(await this.blobs.read(source.blobKey)) };
      const { pieces } = await extractTextStream({ ...input, filename: source.file.filename, mimeType: source.contentType });
      const chunker = new TokenChunker(stored.chunking);
      let pending: Chunk[] = [];
      let written = 0;
      for await (const piece of pieces) {
        pending.push(...chunker.push(piece));
        if (pending.length >= BATCH_CHUNKS) {
          if (!(await this.#stillWanted(stored))) return this.#abandon(stored);
          await this.#write(stored, source.file.filename, pending);
          written += pending.length;
          pending = [];
        }
        await yieldToEventLoop();
      }
      pending.push(...chunker.finish());
      if (!(await this.#stillWanted(stored))) return this.#abandon(stored);
      if (pending.length > 0) await this.#write(stored, source.file.filename, pending);
      written += pending.length;
      if (written === 0) throw new ExtractionError('No text could be extracted from the file.', 'empty');
      await this.#finish(stored, { status: 'completed', usage_bytes: source.file.bytes, last_error: null });
    } catch (error) {
      await this.store.fileSearch.deleteFile(vectorStoreId, file.id).catch(() => undefined);
      await this.#finish(stored, { status: 'failed', usage_bytes: 0, last_error: lastErrorOf(error) });
      if (!(error instanceof ExtractionError)) this.log.warn({ err: error, fileId: file.id, vectorStoreId }, 'a vector store file failed to ingest');
    }
  }

  async #write(stored: StoredVectorStoreFile, title: string, chunks: Chunk[]): Promise<void> {
    const embeddings = this.embeddings && this.store.fileSearch.vectorDimensions !== undefined
      ? await this.embeddings.embed(chunks.map((chunk) => chunk.text))
      : undefined;
    // The index stores analyzed terms; queries are analyzed the same way (search.ts).
    const analyzed = chunks.map((chunk) => ({ ...chunk, terms: defaultAnalyzer.terms(chunk.text) }));
    const titleTerms = defaultAnalyzer.terms(title);
    const { vector_store_id: vectorStoreId, id: fileId } = stored.file;
    await this.store.fileSearch.addChunks(vectorStoreId, fileId, analyzed, titleTerms, embeddings);
  }

  /** The file is still in this store and in progress (not cancelled, removed or re-added). */
  async #stillWanted(stored: StoredVectorStoreFile): Promise<boolean> {
    const current = await this.store.vectorStores.getFile(stored.project, stored.file.vector_store_id, stored.file.id);
    return current?.file.status === 'in_progress' && current.file.created_at === stored.file.created_at;
  }

  async #abandon(stored: StoredVectorStoreFile): Promise<void> {
    if (await this.#stillWanted(stored)) return;
    await this.store.fileSearch.deleteFile(stored.file.vector_store_id, stored.file.id);
  }

  async #finish(stored: StoredVectorStoreFile, outcome: Pick<VectorStoreFile, 'status' | 'usage_bytes' | 'last_error'>): Promise<void> {
    const current = await this.store.vectorStores.getFile(stored.project, stored.file.vector_store_id, stored.file.id);
    if (current?.file.status !== 'in_progress') {
      // Cancelled or removed while we worked: whatever we indexed must go.
      if (outcome.status === 'completed') await this.store.fileSearch.deleteFile(stored.file.vector_store_id, stored.file.id);
      return;
    }
    await this.store.vectorStores.updateFile({ ...current, file: { ...current.file, ...outcome } });
  }
}

function lastErrorOf(error: unknown): LastError {
  if (error instanceof ExtractionError) {
    return { code: error.format === null ? 'unsupported_file' : 'invalid_file', message: error.message };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { code: 'server_error', message: `The file could not be indexed: ${reason}` };
}

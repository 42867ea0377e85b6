import type { PageRequest } from '../api/pagination.js';
import type { CreateVectorStoreFileRequest, VectorStoreFile, VectorStoreFileAttributes } from '../api/types.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import { withLocalPath } from '../files/local-copy.js';
import { nowSeconds } from '../ids.js';
import type { Store } from '../store/store.js';
import type { FileStatus, StoredVectorStoreFile } from '../store/vector-store-repository.js';
import { resolveChunkingStrategy } from '../tools/file-search/chunking-strategy.js';
import { ExtractionError } from '../tools/file-search/extract.js';
import { exceededPoolLimit } from '../tools/file-search/ingestion-pool.js';
import { requireFiles } from './references.js';

/** OpenAI's limit on files in one vector store. */
export const MAX_FILES_PER_VECTOR_STORE = 10_000;

/** What ingestion needs from outside: a nudge when files are waiting. */
export interface IngestionScheduler {
  wake(): void;
}

/** A stored file, as the text extractor reads it. */
export interface FileToExtract {
  /** The blob's path on disk when the blob store has one (read there, streamed), or its bytes. */
  source: { path: string } | { bytes: Uint8Array };
  filename: string;
  mimeType: string | undefined;
}

/**
 * Extracts a file's text away from the event loop (in the ingestion processes, under their limits and
 * caps). Throws `ExtractionError` for a file it cannot read or that exceeds a limit.
 */
export interface FileTextExtractor {
  extractText(file: FileToExtract): Promise<{ text: string }>;
}

export interface PrepareOptions {
  chunking_strategy?: unknown;
  attributes?: VectorStoreFileAttributes;
  batchId?: string;
  /** The request field that named the files, for errors. */
  param: string;
}

export class VectorStoreFileService {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    readonly ingestion: IngestionScheduler,
    private readonly extractor: FileTextExtractor,
  ) {}

  /** Validated file rows, in progress, ready to insert (files must exist; chunking is checked per file). */
  async prepare(
    project: string,
    vectorStoreId: string,
    requests: readonly CreateVectorStoreFileRequest[],
    options: PrepareOptions,
  ): Promise<StoredVectorStoreFile[]> {
    const ids = requests.map((request) => request.file_id);
    await requireFiles(this.store, project, ids, options.param);
    const counts = await this.store.vectorStores.counts(vectorStoreId);
    if (
      counts.total + (await this.#newFileCount(project, vectorStoreId, ids, counts.total)) >
      MAX_FILES_PER_VECTOR_STORE
    ) {
      throw errors.vectorStoreFileLimit(options.param, vectorStoreId, counts.total, MAX_FILES_PER_VECTOR_STORE);
    }
    const defaultChunking = resolveChunkingStrategy(options.chunking_strategy);
    const now = nowSeconds();
    return requests.map((request, index) => {
      const chunking =
        request.chunking_strategy === undefined
          ? defaultChunking
          : resolveChunkingStrategy(
              request.chunking_strategy,
              options.batchId ? `files[${index}].chunking_strategy` : 'chunking_strategy',
            );
      const attributes = request.attributes ?? options.attributes ?? {};
      const file: VectorStoreFile = {
        id: request.file_id,
        object: 'vector_store.file',
        usage_bytes: 0,
        created_at: now,
        vector_store_id: vectorStoreId,
        status: 'in_progress',
        last_error: null,
        chunking_strategy: {
          type: 'static',
          static: {
            max_chunk_size_tokens: chunking.maxChunkSizeTokens,
            chunk_overlap_tokens: chunking.chunkOverlapTokens,
          },
        },
        attributes,
      };
      return { project, file, batchId: options.batchId ?? null, chunking };
    });
  }

  async create(
    project: string,
    vectorStoreId: string,
    request: CreateVectorStoreFileRequest,
  ): Promise<VectorStoreFile> {
    await this.#requireStore(project, vectorStoreId);
    const [prepared] = await this.prepare(project, vectorStoreId, [request], { param: 'file_id' });
    await this.store.fileSearch.deleteFile(vectorStoreId, request.file_id);
    await this.store.vectorStores.insertFiles([prepared!]);
    this.ingestion.wake();
    return prepared!.file;
  }

  async get(project: string, vectorStoreId: string, fileId: string): Promise<VectorStoreFile> {
    return (await this.#stored(project, vectorStoreId, fileId)).file;
  }

  async list(
    project: string,
    vectorStoreId: string,
    page: PageRequest,
    filter: { status?: FileStatus; batchId?: string } = {},
  ) {
    await this.#requireStore(project, vectorStoreId);
    return this.store.vectorStores.listFiles(project, vectorStoreId, page, filter);
  }

  async updateAttributes(
    project: string,
    vectorStoreId: string,
    fileId: string,
    attributes: VectorStoreFileAttributes,
  ): Promise<VectorStoreFile> {
    const stored = await this.#stored(project, vectorStoreId, fileId);
    const updated: StoredVectorStoreFile = { ...stored, file: { ...stored.file, attributes: attributes ?? {} } };
    await this.store.vectorStores.updateFile(updated);
    return updated.file;
  }

  async delete(project: string, vectorStoreId: string, fileId: string) {
    await this.#stored(project, vectorStoreId, fileId);
    await this.store.fileSearch.deleteFile(vectorStoreId, fileId);
    await this.store.vectorStores.deleteFile(project, vectorStoreId, fileId);
    return { id: fileId, object: 'vector_store.file.deleted' as const, deleted: true as const };
  }

  /** Removes a File from every vector store that holds it (the File itself is being deleted). */
  async removeEverywhere(project: string, fileId: string): Promise<void> {
    for (const vectorStoreId of await this.store.vectorStores.storesOfFile(project, fileId)) {
      await this.store.fileSearch.deleteFile(vectorStoreId, fileId);
      await this.store.vectorStores.deleteFile(project, vectorStoreId, fileId);
    }
  }

  /** The file's parsed text, as the content endpoint returns it. */
  async content(project: string, vectorStoreId: string, fileId: string) {
    await this.#stored(project, vectorStoreId, fileId);
    const source = await this.store.files.get(project, fileId);
    if (!source) throw errors.fileNotFound(fileId);
    // The same processes, extraction path and limits as ingestion, so the content shown is the text that
    // was indexed, and a hostile file costs one of those processes, never the event loop; a file that
    // cannot be parsed, or breaks a limit, is the client's 400.
    const { text } = await withLocalPath(this.blobs, source.blobKey, (path) =>
      this.extractor.extractText({ source: { path }, filename: source.file.filename, mimeType: source.contentType }),
    ).catch((error: unknown) => {
      if (!(error instanceof ExtractionError)) throw error;
      if (exceededPoolLimit(error)) throw errors.fileContentLimitExceeded(error.message);
      throw errors.unreadableFile(error.message);
    });
    return {
      object: 'vector_store.file_content.page' as const,
      data: [{ type: 'text', text }],
      has_more: false,
      next_page: null,
    };
  }

  /** How many of `ids` the store does not hold yet (re-adding a file replaces it; it takes no new place). */
  async #newFileCount(project: string, vectorStoreId: string, ids: readonly string[], total: number): Promise<number> {
    const distinct = [...new Set(ids)];
    // Looking each id up only matters near the limit.
    if (total + distinct.length <= MAX_FILES_PER_VECTOR_STORE) return distinct.length;
    let fresh = 0;
    for (const id of distinct) if (!(await this.store.vectorStores.getFile(project, vectorStoreId, id))) fresh += 1;
    return fresh;
  }

  async #requireStore(project: string, vectorStoreId: string): Promise<void> {
    if (!(await this.store.vectorStores.get(project, vectorStoreId)))
      throw errors.notFound('vector store', vectorStoreId);
  }

  async #stored(project: string, vectorStoreId: string, fileId: string): Promise<StoredVectorStoreFile> {
    await this.#requireStore(project, vectorStoreId);
    const stored = await this.store.vectorStores.getFile(project, vectorStoreId, fileId);
    if (!stored) throw errors.notFound('vector store file', fileId);
    return stored;
  }
}

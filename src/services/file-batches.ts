import type { PageRequest } from '../api/pagination.js';
import type {
  CreateVectorStoreFileBatchRequest,
  CreateVectorStoreFileRequest,
  VectorStoreFileBatch,
} from '../api/types.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store } from '../store/store.js';
import type { FileStatus } from '../store/vector-store-repository.js';
import type { VectorStoreFileService } from './vector-store-files.js';
import { fileBatchView } from './vector-store-views.js';

export class FileBatchService {
  constructor(
    private readonly store: Store,
    private readonly files: VectorStoreFileService,
  ) {}

  async create(
    project: string,
    vectorStoreId: string,
    request: CreateVectorStoreFileBatchRequest,
  ): Promise<VectorStoreFileBatch> {
    if (!(await this.store.vectorStores.get(project, vectorStoreId)))
      throw errors.notFound('vector store', vectorStoreId);
    const requests: CreateVectorStoreFileRequest[] =
      request.files ?? (request.file_ids ?? []).map((fileId) => ({ file_id: fileId }));
    if (requests.length === 0) throw errors.missingParameter('file_ids');
    if (request.files && request.file_ids) {
      throw errors.batchFilesConflict();
    }
    const batch: VectorStoreFileBatch = {
      id: newId('vsfb_'),
      object: 'vector_store.files_batch',
      created_at: nowSeconds(),
      vector_store_id: vectorStoreId,
      status: 'in_progress',
      file_counts: { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 },
    };
    // With `files`, the contract says the batch-wide attributes and chunking_strategy are ignored:
    // each entry carries its own.
    const shared = request.files
      ? {}
      : {
          chunking_strategy: request.chunking_strategy,
          ...(request.attributes ? { attributes: request.attributes } : {}),
        };
    const prepared = await this.files.prepare(project, vectorStoreId, requests, {
      ...shared,
      batchId: batch.id,
      param: request.files ? 'files' : 'file_ids',
    });
    for (const file of prepared) await this.store.fileSearch.deleteFile(vectorStoreId, file.file.id);
    await this.store.vectorStores.insertBatch(project, batch, prepared);
    this.files.ingestion.wake();
    return fileBatchView(this.store.vectorStores, batch);
  }

  async get(project: string, vectorStoreId: string, batchId: string): Promise<VectorStoreFileBatch> {
    return fileBatchView(this.store.vectorStores, await this.#stored(project, vectorStoreId, batchId));
  }

  /** Stops the batch: files not yet ingested are cancelled; finished ones stay. */
  async cancel(project: string, vectorStoreId: string, batchId: string): Promise<VectorStoreFileBatch> {
    const batch = await this.#stored(project, vectorStoreId, batchId);
    const view = await fileBatchView(this.store.vectorStores, batch);
    if (view.status !== 'in_progress') {
      throw errors.batchNotCancellable(view.status);
    }
    const cancelled = await this.store.vectorStores.cancelBatchFiles(vectorStoreId, batchId);
    for (const fileId of cancelled) await this.store.fileSearch.deleteFile(vectorStoreId, fileId);
    const updated: VectorStoreFileBatch = { ...batch, status: 'cancelled' };
    await this.store.vectorStores.updateBatch(project, updated);
    return fileBatchView(this.store.vectorStores, updated);
  }

  async listFiles(project: string, vectorStoreId: string, batchId: string, page: PageRequest, status?: FileStatus) {
    await this.#stored(project, vectorStoreId, batchId);
    return this.files.list(project, vectorStoreId, page, { batchId, ...(status ? { status } : {}) });
  }

  async #stored(project: string, vectorStoreId: string, batchId: string): Promise<VectorStoreFileBatch> {
    if (!(await this.store.vectorStores.get(project, vectorStoreId)))
      throw errors.notFound('vector store', vectorStoreId);
    const batch = await this.store.vectorStores.getBatch(project, vectorStoreId, batchId);
    if (!batch) throw errors.notFound('file batch', batchId);
    return batch;
  }
}

import type { PageRequest } from '../api/pagination.js';
import type { CreateVectorStoreRequest, UpdateVectorStoreRequest, VectorStore } from '../api/types.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store } from '../store/store.js';
import type { StoredVectorStore } from '../store/vector-store-repository.js';
import { resolveMetadata } from './metadata.js';
import type { VectorStoreFileService } from './vector-store-files.js';
import { vectorStoreView } from './vector-store-views.js';

const DAY_SECONDS = 86_400;

export class VectorStoreService {
  constructor(
    private readonly store: Store,
    private readonly files: VectorStoreFileService,
  ) {}

  async create(project: string, request: CreateVectorStoreRequest): Promise<VectorStore> {
    const now = nowSeconds();
    const stored: StoredVectorStore = {
      id: newId('vs_'),
      object: 'vector_store',
      created_at: now,
      name: request.name ?? '',
      last_active_at: now,
      metadata: resolveMetadata(request.metadata),
      expired: false,
      ...(request.expires_after
        ? { expires_after: request.expires_after, expires_at: now + request.expires_after.days * DAY_SECONDS }
        : { expires_at: null }),
    };
    const files = await this.files.prepare(
      project,
      stored.id,
      (request.file_ids ?? []).map((fileId) => ({ file_id: fileId })),
      {
        chunking_strategy: request.chunking_strategy,
        param: 'file_ids',
      },
    );
    await this.store.vectorStores.insert(project, stored, files);
    this.files.ingestion.wake();
    return vectorStoreView(this.store.vectorStores, stored);
  }

  async get(project: string, id: string): Promise<VectorStore> {
    return vectorStoreView(this.store.vectorStores, await this.stored(project, id));
  }

  async list(project: string, page: PageRequest) {
    const result = await this.store.vectorStores.list(project, page);
    return {
      data: await Promise.all(result.data.map((stored) => vectorStoreView(this.store.vectorStores, stored))),
      hasMore: result.hasMore,
    };
  }

  async modify(project: string, id: string, request: UpdateVectorStoreRequest): Promise<VectorStore> {
    const current = await this.stored(project, id);
    const updated: StoredVectorStore = {
      ...current,
      metadata: resolveMetadata(request.metadata, current.metadata ?? {}),
    };
    if (request.name !== undefined) updated.name = request.name ?? '';
    if (request.expires_after === null) {
      delete updated.expires_after;
      updated.expires_at = null;
    } else if (request.expires_after !== undefined) {
      updated.expires_after = request.expires_after;
      updated.expires_at = (current.last_active_at ?? nowSeconds()) + request.expires_after.days * DAY_SECONDS;
    }
    await this.store.vectorStores.update(project, updated);
    return vectorStoreView(this.store.vectorStores, updated);
  }

  async delete(project: string, id: string): Promise<{ id: string; object: 'vector_store.deleted'; deleted: true }> {
    await this.stored(project, id);
    for (const file of await this.store.vectorStores.allFiles([id]))
      await this.store.fileSearch.deleteFile(id, file.file.id);
    await this.store.vectorStores.delete(project, id);
    return { id, object: 'vector_store.deleted', deleted: true };
  }

  /** The stored vector store, or OpenAI's 404. */
  async stored(project: string, id: string): Promise<StoredVectorStore> {
    const stored = await this.store.vectorStores.get(project, id);
    if (!stored) throw errors.notFound('vector store', id);
    return stored;
  }

  /** Fails unless every id names a vector store of the project (tool resources). */
  async requireAll(project: string, ids: readonly string[], param: string): Promise<void> {
    const found = await this.store.vectorStores.existing(project, ids);
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw errors.notFound('vector store', missing, param);
  }
}

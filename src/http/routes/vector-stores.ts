import type { FastifyPluginAsync } from 'fastify';
import { schemaRef } from '../../api/contract.js';
import { parsePageRequest, toListResponse } from '../../api/pagination.js';
import { optionalStringQuery } from '../../api/query-params.js';
import type {
  CreateVectorStoreFileBatchRequest,
  CreateVectorStoreFileRequest,
  CreateVectorStoreRequest,
  UpdateVectorStoreRequest,
  VectorStoreFile,
  VectorStoreFileAttributes,
  VectorStoreSearchRequest,
} from '../../api/types.js';
import { errors } from '../../errors.js';
import type { Services } from '../../services/index.js';

type StoreParams = { vector_store_id: string };
type FileParams = StoreParams & { file_id: string };
type BatchParams = StoreParams & { batch_id: string };
type Query = Record<string, unknown>;

/**
 * Sent on file and batch retrieval: the SDK's `createAndPoll`/`uploadAndPoll` otherwise sleep 5 s
 * between polls, while ingesting a typical file takes well under a second.
 */
const POLL_AFTER_MS = '100';

type FileStatus = VectorStoreFile['status'];

const FILE_STATUSES: readonly FileStatus[] = ['in_progress', 'completed', 'failed', 'cancelled'];

export function vectorStoreRoutes(services: Services): FastifyPluginAsync {
  const { vectorStores, vectorStoreFiles, fileBatches, vectorStoreSearch } = services;
  return async (app) => {
    app.get<{ Querystring: Query }>('/vector_stores', async (request) =>
      toListResponse(await vectorStores.list(request.project, parsePageRequest(request.query))),
    );
    app.post('/vector_stores', { schema: { body: schemaRef('CreateVectorStoreRequest') } }, async (request) =>
      vectorStores.create(request.project, request.body as CreateVectorStoreRequest),
    );
    app.get<{ Params: StoreParams }>('/vector_stores/:vector_store_id', async (request) =>
      vectorStores.get(request.project, request.params.vector_store_id),
    );
    app.post<{ Params: StoreParams }>(
      '/vector_stores/:vector_store_id',
      { schema: { body: schemaRef('UpdateVectorStoreRequest') } },
      async (request) =>
        vectorStores.modify(request.project, request.params.vector_store_id, request.body as UpdateVectorStoreRequest),
    );
    app.delete<{ Params: StoreParams }>('/vector_stores/:vector_store_id', async (request) =>
      vectorStores.delete(request.project, request.params.vector_store_id),
    );
    app.post<{ Params: StoreParams }>(
      '/vector_stores/:vector_store_id/search',
      { schema: { body: schemaRef('VectorStoreSearchRequest') } },
      async (request) =>
        vectorStoreSearch.search(
          request.project,
          request.params.vector_store_id,
          request.body as VectorStoreSearchRequest,
        ),
    );

    app.get<{ Params: StoreParams; Querystring: Query }>('/vector_stores/:vector_store_id/files', async (request) => {
      const page = parsePageRequest(request.query);
      const status = parseStatusFilter(request.query);
      return toListResponse(
        await vectorStoreFiles.list(request.project, request.params.vector_store_id, page, status ? { status } : {}),
      );
    });
    app.post<{ Params: StoreParams }>(
      '/vector_stores/:vector_store_id/files',
      { schema: { body: schemaRef('CreateVectorStoreFileRequest') } },
      async (request) =>
        vectorStoreFiles.create(
          request.project,
          request.params.vector_store_id,
          request.body as CreateVectorStoreFileRequest,
        ),
    );
    app.get<{ Params: FileParams }>('/vector_stores/:vector_store_id/files/:file_id', async (request, reply) => {
      void reply.header('openai-poll-after-ms', POLL_AFTER_MS);
      return vectorStoreFiles.get(request.project, request.params.vector_store_id, request.params.file_id);
    });
    app.post<{ Params: FileParams }>(
      '/vector_stores/:vector_store_id/files/:file_id',
      { schema: { body: schemaRef('UpdateVectorStoreFileAttributesRequest') } },
      async (request) => {
        const { attributes } = request.body as { attributes: VectorStoreFileAttributes };
        return vectorStoreFiles.updateAttributes(
          request.project,
          request.params.vector_store_id,
          request.params.file_id,
          attributes,
        );
      },
    );
    app.delete<{ Params: FileParams }>('/vector_stores/:vector_store_id/files/:file_id', async (request) =>
      vectorStoreFiles.delete(request.project, request.params.vector_store_id, request.params.file_id),
    );
    app.get<{ Params: FileParams }>('/vector_stores/:vector_store_id/files/:file_id/content', async (request) =>
      vectorStoreFiles.content(request.project, request.params.vector_store_id, request.params.file_id),
    );

    app.post<{ Params: StoreParams }>(
      '/vector_stores/:vector_store_id/file_batches',
      { schema: { body: schemaRef('CreateVectorStoreFileBatchRequest') } },
      async (request) =>
        fileBatches.create(
          request.project,
          request.params.vector_store_id,
          request.body as CreateVectorStoreFileBatchRequest,
        ),
    );
    app.get<{ Params: BatchParams }>(
      '/vector_stores/:vector_store_id/file_batches/:batch_id',
      async (request, reply) => {
        void reply.header('openai-poll-after-ms', POLL_AFTER_MS);
        return fileBatches.get(request.project, request.params.vector_store_id, request.params.batch_id);
      },
    );
    app.post<{ Params: BatchParams }>(
      '/vector_stores/:vector_store_id/file_batches/:batch_id/cancel',
      async (request) => fileBatches.cancel(request.project, request.params.vector_store_id, request.params.batch_id),
    );
    app.get<{ Params: BatchParams; Querystring: Query }>(
      '/vector_stores/:vector_store_id/file_batches/:batch_id/files',
      async (request) => {
        const page = parsePageRequest(request.query);
        const { vector_store_id: vectorStoreId, batch_id: batchId } = request.params;
        return toListResponse(
          await fileBatches.listFiles(request.project, vectorStoreId, batchId, page, parseStatusFilter(request.query)),
        );
      },
    );
  };
}

function parseStatusFilter(query: Query): FileStatus | undefined {
  const filter = optionalStringQuery(query, 'filter');
  if (filter === undefined) return undefined;
  if (!FILE_STATUSES.includes(filter as FileStatus)) {
    throw errors.invalidFileStatusFilter(filter, FILE_STATUSES);
  }
  return filter as FileStatus;
}

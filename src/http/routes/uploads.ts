import type { FastifyPluginAsync } from 'fastify';
import { schemaRef } from '../../api/contract.js';
import type { CompleteUploadRequest, CreateUploadRequest } from '../../api/types.js';
import { errors } from '../../errors.js';
import type { BlobStore } from '../../files/blob-store.js';
import type { Services } from '../../services/index.js';
import { readMultipartForm } from '../multipart-form.js';

type Params = { upload_id: string };

/** OpenAI caps each part at 64 MB. */
const MAX_PART_BYTES = 64 * 1024 * 1024;

export function uploadRoutes(services: Services, { blobs }: { blobs: BlobStore }): FastifyPluginAsync {
  return async (app) => {
    app.post('/uploads', { schema: { body: schemaRef('CreateUploadRequest') } }, async (request) =>
      services.uploads.create(request.project, request.body as CreateUploadRequest),
    );

    app.post<{ Params: Params }>('/uploads/:upload_id/parts', { config: { multipart: true } }, async (request) => {
      const { upload_id: uploadId } = request.params;
      const form = await readMultipartForm(request, blobs, {
        fileField: 'data',
        maxFileBytes: MAX_PART_BYTES,
        blobKey: () => services.uploads.newPartKey(request.project, uploadId),
      });
      if (!form.file) throw errors.missingParameter('data');
      const unknown = Object.keys(form.fields)[0];
      if (unknown !== undefined) {
        await blobs.delete(form.file.blobKey);
        throw errors.unknownParameter(unknown);
      }
      return services.uploads.addPart(request.project, uploadId, {
        blobKey: form.file.blobKey,
        bytes: form.file.bytes,
      });
    });

    app.post<{ Params: Params }>(
      '/uploads/:upload_id/complete',
      { schema: { body: schemaRef('CompleteUploadRequest') } },
      async (request) =>
        services.uploads.complete(request.project, request.params.upload_id, request.body as CompleteUploadRequest),
    );

    app.post<{ Params: Params }>('/uploads/:upload_id/cancel', async (request) =>
      services.uploads.cancel(request.project, request.params.upload_id),
    );
  };
}

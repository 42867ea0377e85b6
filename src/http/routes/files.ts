import type { FastifyPluginAsync } from 'fastify';
import { parsePageRequest, toListResponse } from '../../api/pagination.js';
import { optionalStringQuery } from '../../api/query-params.js';
import { errors } from '../../errors.js';
import type { BlobStore } from '../../files/blob-store.js';
import type { Services } from '../../services/index.js';
import { readMultipartForm } from '../multipart-form.js';

type Params = { file_id: string };

export interface FileRouteOptions {
  blobs: BlobStore;
  maxFileBytes: number;
}

export function fileRoutes(services: Services, { blobs, maxFileBytes }: FileRouteOptions): FastifyPluginAsync {
  return async (app) => {
    app.post('/files', { config: { multipart: true } }, async (request) => {
      const form = await readMultipartForm(request, blobs, {
        fileField: 'file',
        maxFileBytes,
        blobKey: () => services.files.newBlobKey(),
      });
      if (!form.file) throw errors.missingParameter('file');
      const staged = { blobKey: form.file.blobKey, bytes: form.file.bytes };
      let fields: { purpose: string; expiresAfterSeconds: number | undefined };
      try {
        fields = parseFileFields(form.fields);
      } catch (error) {
        await blobs.delete(staged.blobKey);
        throw error;
      }
      return services.files.create(request.project, {
        staged,
        filename: form.file.filename,
        contentType: form.file.mimeType,
        ...fields,
      });
    });

    app.get<{ Querystring: Record<string, unknown> }>('/files', async (request) => {
      const page = parsePageRequest(request.query, { defaultLimit: 10_000, maxLimit: 10_000, allowBefore: false });
      const purpose = optionalStringQuery(request.query, 'purpose');
      return toListResponse(await services.files.list(request.project, page, purpose));
    });

    app.get<{ Params: Params }>('/files/:file_id', async (request) =>
      services.files.get(request.project, request.params.file_id),
    );

    app.get<{ Params: Params }>('/files/:file_id/content', async (request, reply) => {
      const { file, contentType, body } = await services.files.content(request.project, request.params.file_id);
      return (
        reply
          .header('content-type', contentType)
          .header('content-length', file.bytes)
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
          // Uploaded bytes are served with the type their uploader chose; never let a browser guess another.
          .header('x-content-type-options', 'nosniff')
          .send(body)
      );
    });

    app.delete<{ Params: Params }>('/files/:file_id', async (request) =>
      services.files.delete(request.project, request.params.file_id),
    );
  };
}

const FILE_FIELDS = ['purpose', 'expires_after[anchor]', 'expires_after[seconds]'];

function parseFileFields(fields: Record<string, string>): { purpose: string; expiresAfterSeconds: number | undefined } {
  const unknown = Object.keys(fields).find((name) => !FILE_FIELDS.includes(name));
  if (unknown !== undefined) throw errors.unknownParameter(unknown);
  const purpose = fields.purpose;
  if (purpose === undefined) throw errors.missingParameter('purpose');
  return { purpose, expiresAfterSeconds: parseExpiresAfter(fields) };
}

/** `expires_after[anchor]=created_at&expires_after[seconds]=N`, as the SDK encodes it in a form. */
function parseExpiresAfter(fields: Record<string, string>): number | undefined {
  const anchor = fields['expires_after[anchor]'];
  const seconds = fields['expires_after[seconds]'];
  if (anchor === undefined && seconds === undefined) return undefined;
  if (anchor !== 'created_at') {
    throw errors.invalidExpiresAfterAnchor(anchor ?? '');
  }
  const value = Number(seconds);
  if (!Number.isInteger(value) || value < 3600 || value > 2_592_000) {
    throw errors.invalidExpiresAfterSeconds(seconds ?? '');
  }
  return value;
}

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { containerFileName } from '../../api/container-objects.js';
import { responsesSchemaRef } from '../../api/contract.js';
import { parsePageRequest, toListResponse } from '../../api/pagination.js';
import { optionalStringQuery } from '../../api/query-params.js';
import { errors } from '../../errors.js';
import type { BlobStore } from '../../files/blob-store.js';
import type { ContainerFileSource } from '../../services/container-files.js';
import type { CreateContainerBody } from '../../services/containers.js';
import type { Services } from '../../services/index.js';
import { readMultipartForm } from '../multipart-form.js';

type ContainerParams = { container_id: string };
type FileParams = ContainerParams & { file_id: string };
type Query = Record<string, unknown>;

export interface ContainerRouteOptions {
  blobs: BlobStore;
  maxFileBytes: number;
}

/** The Containers API: containers, and their files (uploaded, copied from Files, or written by code). */
export function containerRoutes(services: Services, options: ContainerRouteOptions): FastifyPluginAsync {
  const { containers } = services;
  // Containers list no further back than `after`, as OpenAI's do (the spec has no `before` for them).
  const pageOf = (query: Query) => parsePageRequest(query, { allowBefore: false });
  return async (app) => {
    app.post('/containers', { schema: { body: responsesSchemaRef('CreateContainerBody') } }, async (request) =>
      containers.create(request.project, request.body as CreateContainerBody),
    );
    app.get<{ Querystring: Query }>('/containers', async (request) => {
      const name = optionalStringQuery(request.query, 'name');
      return toListResponse(await containers.list(request.project, pageOf(request.query), name));
    });
    app.get<{ Params: ContainerParams }>('/containers/:container_id', async (request) =>
      containers.get(request.project, request.params.container_id),
    );
    app.delete<{ Params: ContainerParams }>('/containers/:container_id', async (request) =>
      containers.delete(request.project, request.params.container_id),
    );

    app.post<{ Params: ContainerParams }>(
      '/containers/:container_id/files',
      { config: { multipart: true } },
      async (request) =>
        containers.files.create(
          request.project,
          request.params.container_id,
          await fileSource(request, services, options),
        ),
    );
    app.get<{ Params: ContainerParams; Querystring: Query }>('/containers/:container_id/files', async (request) =>
      toListResponse(await containers.files.list(request.project, request.params.container_id, pageOf(request.query))),
    );
    app.get<{ Params: FileParams }>('/containers/:container_id/files/:file_id', async (request) =>
      containers.files.get(request.project, request.params.container_id, request.params.file_id),
    );
    app.get<{ Params: FileParams }>('/containers/:container_id/files/:file_id/content', async (request, reply) => {
      const { project, params } = request;
      const { file, contentType, body } = await containers.files.content(project, params.container_id, params.file_id);
      const filename = encodeURIComponent(containerFileName(file));
      return (
        reply
          .header('content-type', contentType)
          .header('content-length', file.bytes)
          .header('content-disposition', `attachment; filename*=UTF-8''${filename}`)
          // Bytes a client or the code wrote: never let a browser guess another type for them.
          .header('x-content-type-options', 'nosniff')
          .send(body)
      );
    });
    app.delete<{ Params: FileParams }>('/containers/:container_id/files/:file_id', async (request) =>
      containers.files.delete(request.project, request.params.container_id, request.params.file_id),
    );
  };
}

/**
 * A container file comes as JSON `{file_id}` (a copy of a File) or as a multipart upload of `file` (the SDK sends
 * multipart whenever `file` is given). An upload into a container that cannot take it is refused before its bytes
 * are stored.
 */
async function fileSource(
  request: FastifyRequest<{ Params: ContainerParams }>,
  services: Services,
  { blobs, maxFileBytes }: ContainerRouteOptions,
): Promise<ContainerFileSource> {
  const { project } = request;
  const containerId = request.params.container_id;
  const files = services.containers.files;
  if (!request.isMultipart()) return jsonFileSource(request);
  const form = await readMultipartForm(request, blobs, {
    fileField: 'file',
    maxFileBytes,
    blobKey: async () => {
      await files.admit(project, containerId);
      return files.newBlobKey(containerId);
    },
  });
  const staged = form.file && { blobKey: form.file.blobKey, bytes: form.file.bytes };
  const unknown = Object.keys(form.fields).find((name) => name !== 'file_id');
  const problem =
    unknown !== undefined
      ? errors.unknownParameter(unknown)
      : staged && form.fields.file_id !== undefined
        ? errors.containerFileSourceAmbiguous()
        : undefined;
  if (problem) {
    if (staged) await blobs.delete(staged.blobKey);
    throw problem;
  }
  if (staged) return { staged, filename: form.file!.filename };
  const fileId = form.fields.file_id;
  if (fileId === undefined || fileId === '') throw errors.containerFileSourceMissing();
  return { fileId };
}

/** `{file_id}` as JSON, checked against the contract; `file` can only be uploaded as multipart/form-data. */
function jsonFileSource(request: FastifyRequest): ContainerFileSource {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw errors.unsupportedContentType(contentType, 'application/json');
  }
  const body = request.body ?? {};
  const validate = request.compileValidationSchema(responsesSchemaRef('CreateContainerFileBody'));
  // Thrown as the framework's own validation errors are, so they read as every other route's.
  if (!validate(body)) throw Object.assign(new Error('invalid body'), { validation: validate.errors });
  const fields = body as Record<string, unknown>;
  if ('file' in fields) throw errors.fileFieldNotFile('file');
  const unknown = Object.keys(fields).find((name) => name !== 'file_id');
  if (unknown !== undefined) throw errors.unknownParameter(unknown);
  if (typeof fields.file_id !== 'string' || fields.file_id === '') throw errors.containerFileSourceMissing();
  return { fileId: fields.file_id };
}

import type { FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';

/** A multipart form whose one file field has been streamed into the blob store. */
export interface MultipartForm {
  fields: Record<string, string>;
  file?: {
    field: string;
    filename: string;
    mimeType: string;
    blobKey: string;
    bytes: number;
  };
}

export interface MultipartOptions {
  /** The form field that carries the bytes (`file` for files, `data` for upload parts). */
  fileField: string;
  maxFileBytes: number;
  /** Called when the file part arrives, to choose where its bytes go. */
  blobKey: () => Promise<string> | string;
}

/**
 * Reads a multipart form part by part. The file's bytes go straight to the blob store as they
 * arrive (the body is never buffered whole); other fields are small strings. The SDK sends the
 * file before the other fields, so validation of those happens after the bytes are stored; on any
 * failure here the stored bytes are removed.
 */
export async function readMultipartForm(request: FastifyRequest, blobs: BlobStore, options: MultipartOptions): Promise<MultipartForm> {
  if (!request.isMultipart()) {
    throw errors.unsupportedContentType(String(request.headers['content-type'] ?? ''), 'multipart/form-data');
  }
  const form: MultipartForm = { fields: {} };
  try {
    for await (const part of request.parts({ limits: { fileSize: options.maxFileBytes, files: 1, fields: 20, fieldSize: 64 * 1024 } })) {
      if (part.type === 'field') {
        form.fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== options.fileField) {
        part.file.resume();
        throw errors.unknownParameter(part.fieldname);
      }
      const blobKey = await options.blobKey();
      const written = await blobs.write(blobKey, part.file).catch((error: { code?: string }) => {
        throw error.code === 'FST_REQ_FILE_TOO_LARGE' ? errors.fileTooLarge(options.maxFileBytes) : error;
      });
      form.file = { field: part.fieldname, filename: part.filename || 'upload', mimeType: part.mimetype, blobKey, bytes: written.bytes };
    }
  } catch (error) {
    if (form.file) await blobs.delete(form.file.blobKey);
    throw error;
  }
  return form;
}

import type { MultipartFile, MultipartValue } from '@fastify/multipart';
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

/** Text fields are small (a purpose, an expiry); anything longer is a client mistake. */
const MAX_FIELD_BYTES = 64 * 1024;

/**
 * Reads a multipart form part by part. The file's bytes go straight to the blob store as they
 * arrive (the body is never buffered whole); other fields are small strings. The SDK sends the
 * file before the other fields, so validation of those happens after the bytes are stored; on any
 * failure here the stored bytes are removed, and the caller removes them on its own failures.
 */
export async function readMultipartForm(
  request: FastifyRequest,
  blobs: BlobStore,
  options: MultipartOptions,
): Promise<MultipartForm> {
  if (!request.isMultipart()) {
    throw errors.unsupportedContentType(String(request.headers['content-type'] ?? ''), 'multipart/form-data');
  }
  const form: MultipartForm = { fields: {} };
  try {
    const parts = request.parts({
      limits: { fileSize: options.maxFileBytes, files: 1, fields: 20, fieldSize: MAX_FIELD_BYTES },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        form.fields[part.fieldname] = readField(part, options.fileField);
        continue;
      }
      form.file = await storeFile(request, part, blobs, options);
    }
  } catch (error) {
    if (form.file) await blobs.delete(form.file.blobKey);
    throw toFormError(error, options.maxFileBytes);
  }
  return form;
}

/** Failures of the body itself (cut off, too big) are the client's; anything else (a full disk) stays a 500. */
function toFormError(error: unknown, maxFileBytes: number): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return errors.fileTooLarge(maxFileBytes);
  const message = (error as Error).message ?? '';
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || /terminated early|Unexpected end/i.test(message)) {
    return errors.multipartTruncated();
  }
  // Busboy's own parse failures, e.g. "Multipart: Boundary not found".
  if (message.startsWith('Multipart: ')) {
    return errors.invalidMultipart(message.slice('Multipart: '.length));
  }
  return error;
}

function readField(part: MultipartValue, fileField: string): string {
  // Busboy reports a part without a filename as a text field; for the file field that is a client mistake.
  if (part.fieldname === fileField) throw errors.fileFieldNotFile(fileField);
  if (part.valueTruncated) throw errors.formFieldTooLong(part.fieldname, MAX_FIELD_BYTES);
  return String(part.value);
}

async function storeFile(
  request: FastifyRequest,
  part: MultipartFile,
  blobs: BlobStore,
  options: MultipartOptions,
): Promise<NonNullable<MultipartForm['file']>> {
  if (part.fieldname !== options.fileField) {
    part.file.resume();
    throw errors.unknownParameter(part.fieldname);
  }
  let blobKey: string;
  try {
    blobKey = await options.blobKey();
  } catch (error) {
    // Drain the bytes so the client reads our answer instead of a reset connection.
    part.file.resume();
    throw error;
  }
  const written = await writeUntilDisconnect(request, part, () => blobs.write(blobKey, part.file));
  // Past the size limit busboy ends the stream early instead of failing it, so the blob holds a truncated prefix.
  if (part.file.truncated) {
    await blobs.delete(blobKey);
    throw errors.fileTooLarge(options.maxFileBytes);
  }
  return {
    field: part.fieldname,
    filename: part.filename || 'upload',
    mimeType: part.mimetype,
    blobKey,
    bytes: written.bytes,
  };
}

/**
 * Runs `write` and fails it if the client goes away first. @fastify/multipart stops tracking a
 * file once it passes the size limit, so a client that disconnects after that would otherwise
 * leave the write (and its `.partial` blob) waiting forever for the rest of the part.
 */
async function writeUntilDisconnect<T>(
  request: FastifyRequest,
  part: MultipartFile,
  write: () => Promise<T>,
): Promise<T> {
  const abandon = () => {
    // A complete body is still being parsed from memory; only a cut-off one is abandoned.
    if (!request.raw.complete) part.file.destroy();
  };
  request.raw.once('close', abandon);
  if (request.raw.destroyed) abandon();
  try {
    return await write();
  } finally {
    request.raw.off('close', abandon);
  }
}

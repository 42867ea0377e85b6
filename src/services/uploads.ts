import type { CompleteUploadRequest, CreateUploadRequest, OpenAIFile, Upload, UploadPart } from '../api/types.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store, StoredUpload } from '../store/store.js';
import type { FileService, StagedBlob } from './files.js';

/** An Upload accepts parts for an hour, as OpenAI's does. */
const UPLOAD_LIFETIME_SECONDS = 3600;

export class UploadService {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly files: FileService,
    private readonly maxFileBytes: number,
  ) {}

  async create(project: string, request: CreateUploadRequest): Promise<Upload> {
    if (request.bytes < 0 || request.bytes > this.maxFileBytes) {
      throw errors.invalidValue(
        'bytes',
        `Invalid 'bytes': the file would be ${request.bytes} bytes, but the maximum file size is ${this.maxFileBytes} bytes.`,
      );
    }
    const createdAt = nowSeconds();
    const upload: Upload = {
      id: newId('upload_'),
      object: 'upload',
      created_at: createdAt,
      filename: request.filename,
      bytes: request.bytes,
      purpose: request.purpose,
      status: 'pending',
      expires_at: createdAt + UPLOAD_LIFETIME_SECONDS,
      file: null,
    };
    await this.store.uploads.insert(project, { upload, mimeType: request.mime_type });
    return upload;
  }

  /** A blob key for a part's bytes; the part is recorded by `addPart` once they are written. */
  async newPartKey(project: string, uploadId: string): Promise<string> {
    await this.#pending(project, uploadId);
    return `parts/${uploadId}/${newId('part_')}`;
  }

  async addPart(project: string, uploadId: string, staged: StagedBlob): Promise<UploadPart> {
    try {
      await this.#pending(project, uploadId);
      const part: UploadPart = { id: newId('part_'), object: 'upload.part', created_at: nowSeconds(), upload_id: uploadId };
      await this.store.uploads.insertPart(project, { part, blobKey: staged.blobKey, bytes: staged.bytes });
      return part;
    } catch (error) {
      await this.blobs.delete(staged.blobKey);
      throw error;
    }
  }

  async complete(project: string, uploadId: string, request: CompleteUploadRequest): Promise<Upload> {
    const stored = await this.#pending(project, uploadId);
    const parts = new Map((await this.store.uploads.parts(project, uploadId)).map((part) => [part.part.id, part]));
    const seen = new Set<string>();
    for (const [index, partId] of request.part_ids.entries()) {
      if (!parts.has(partId)) {
        throw errors.invalidValue(`part_ids[${index}]`, `Invalid 'part_ids[${index}]': no part '${partId}' in upload ${uploadId}.`);
      }
      if (seen.has(partId)) {
        throw errors.invalidValue(`part_ids[${index}]`, `Invalid 'part_ids[${index}]': part '${partId}' is listed twice.`);
      }
      seen.add(partId);
    }
    const ordered = request.part_ids.map((id) => parts.get(id)!);
    const total = ordered.reduce((sum, part) => sum + part.bytes, 0);
    if (total !== stored.upload.bytes) {
      throw errors.invalidRequest(
        `The number of bytes uploaded (${total}) does not match the expected number of bytes (${stored.upload.bytes}) for upload ${uploadId}.`,
        'part_ids',
        'upload_size_mismatch',
      );
    }
    const blobKey = this.files.newBlobKey();
    const written = await this.blobs.concat(blobKey, ordered.map((part) => part.blobKey));
    if (request.md5 !== undefined && request.md5.toLowerCase() !== written.md5) {
      await this.blobs.delete(blobKey);
      throw errors.invalidValue('md5', `The md5 checksum of the uploaded bytes (${written.md5}) does not match the provided md5 (${request.md5}).`, 'md5_mismatch');
    }
    const file = this.files.build({
      staged: { blobKey, bytes: written.bytes },
      filename: stored.upload.filename,
      purpose: stored.upload.purpose,
      contentType: stored.mimeType,
    });
    const completed: StoredUpload = { ...stored, upload: { ...stored.upload, status: 'completed', file: file.file as OpenAIFile } };
    await this.store.uploads.complete(project, completed, file);
    await this.#deletePartBlobs([...parts.values()].map((part) => part.blobKey));
    return completed.upload;
  }

  async cancel(project: string, uploadId: string): Promise<Upload> {
    const stored = await this.#pending(project, uploadId);
    const cancelled: StoredUpload = { ...stored, upload: { ...stored.upload, status: 'cancelled' } };
    await this.store.uploads.update(project, cancelled);
    const parts = await this.store.uploads.parts(project, uploadId);
    await this.store.uploads.deleteParts(project, uploadId);
    await this.#deletePartBlobs(parts.map((part) => part.blobKey));
    return cancelled.upload;
  }

  /** The upload if it still accepts parts; an expired one is marked so on the way. */
  async #pending(project: string, uploadId: string): Promise<StoredUpload> {
    const stored = await this.store.uploads.get(project, uploadId);
    if (!stored) throw errors.notFound('upload', uploadId);
    if (stored.upload.status === 'pending' && stored.upload.expires_at <= nowSeconds()) {
      stored.upload = { ...stored.upload, status: 'expired' };
      await this.store.uploads.update(project, stored);
    }
    if (stored.upload.status !== 'pending') {
      throw errors.invalidRequest(`Upload ${uploadId} is ${stored.upload.status} and can no longer be changed.`, null, 'upload_not_pending');
    }
    return stored;
  }

  async #deletePartBlobs(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.blobs.delete(key)));
  }
}

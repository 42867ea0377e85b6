import type { CompleteUploadRequest, CreateUploadRequest, OpenAIFile, Upload, UploadPart } from '../api/types.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import { isMediaType } from '../files/content-type.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store, StoredFile, StoredUpload, StoredUploadPart } from '../store/store.js';
import type { FileService, StagedBlob } from './files.js';
import type { StorageQuota } from './storage-quota.js';

/** An Upload accepts parts for an hour, as OpenAI's does. */
const UPLOAD_LIFETIME_SECONDS = 3600;

export class UploadService {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly files: FileService,
    private readonly maxFileBytes: number,
    private readonly quota: StorageQuota,
  ) {}

  async create(project: string, request: CreateUploadRequest): Promise<Upload> {
    if (request.bytes < 0 || request.bytes > this.maxFileBytes) {
      throw errors.uploadTooLarge(request.bytes, this.maxFileBytes);
    }
    if (!isMediaType(request.mime_type)) {
      throw errors.invalidMimeType(request.mime_type);
    }
    // Refused up front when the declared size cannot fit; completing checks again against what is stored then.
    await this.quota.check(project, request.bytes);
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
    await this.store.uploads.insert(project, {
      upload,
      mimeType: request.mime_type,
      fileExpiresAfterSeconds: request.expires_after?.seconds,
    });
    return upload;
  }

  /** A blob key for a part's bytes; the part is recorded by `addPart` once they are written. */
  async newPartKey(project: string, uploadId: string): Promise<string> {
    await this.#pending(project, uploadId);
    return `parts/${uploadId}/${newId('part_')}`;
  }

  async addPart(project: string, uploadId: string, staged: StagedBlob): Promise<UploadPart> {
    const part: UploadPart = {
      id: newId('part_'),
      object: 'upload.part',
      created_at: nowSeconds(),
      upload_id: uploadId,
    };
    let recorded = false;
    try {
      const earlier = await this.store.uploads.parts(project, uploadId);
      await this.quota.check(
        project,
        earlier.reduce((sum, each) => sum + each.bytes, staged.bytes),
      );
      // False when the upload was completed, cancelled or expired while the bytes were arriving.
      recorded = await this.store.uploads.insertPart(project, { part, blobKey: staged.blobKey, bytes: staged.bytes });
    } finally {
      if (!recorded) await this.blobs.delete(staged.blobKey);
    }
    if (!recorded) {
      await this.#pending(project, uploadId);
      throw errors.uploadNotPending(uploadId, 'no longer pending');
    }
    return part;
  }

  async complete(project: string, uploadId: string, request: CompleteUploadRequest): Promise<Upload> {
    const stored = await this.#pending(project, uploadId);
    const ordered = this.#orderParts(uploadId, await this.store.uploads.parts(project, uploadId), request.part_ids);
    const total = ordered.reduce((sum, part) => sum + part.bytes, 0);
    if (total !== stored.upload.bytes) {
      throw errors.uploadSizeMismatch(uploadId, total, stored.upload.bytes);
    }
    const blobKey = this.files.newBlobKey();
    const written = await this.blobs
      .concat(
        blobKey,
        ordered.map((part) => part.blobKey),
      )
      .catch(async (error: unknown) => {
        // A concurrent complete or cancel may have deleted the parts mid-read; that is a 400, not a 500.
        await this.#pending(project, uploadId);
        throw error;
      });
    try {
      if (request.md5 !== undefined && request.md5.toLowerCase() !== written.md5) {
        throw errors.md5Mismatch(written.md5, request.md5);
      }
      const file = this.files.build({
        staged: { blobKey, bytes: written.bytes },
        filename: stored.upload.filename,
        purpose: stored.upload.purpose,
        contentType: stored.mimeType,
        expiresAfterSeconds: stored.fileExpiresAfterSeconds,
      });
      const completed: StoredUpload = {
        ...stored,
        upload: { ...stored.upload, status: 'completed', file: file.file as OpenAIFile },
      };
      await this.quota.admit(project, written.bytes, () => this.#finish(project, completed, file));
      return completed.upload;
    } catch (error) {
      await this.blobs.delete(blobKey);
      throw error;
    }
  }

  async cancel(project: string, uploadId: string): Promise<Upload> {
    const stored = await this.#pending(project, uploadId);
    const cancelled: StoredUpload = { ...stored, upload: { ...stored.upload, status: 'cancelled' } };
    await this.#finish(project, cancelled);
    return cancelled.upload;
  }

  /** The parts in `partIds` order, each known and listed once. */
  #orderParts(uploadId: string, parts: readonly StoredUploadPart[], partIds: readonly string[]): StoredUploadPart[] {
    const byId = new Map(parts.map((part) => [part.part.id, part]));
    const seen = new Set<string>();
    return partIds.map((partId, index) => {
      const part = byId.get(partId);
      if (!part) throw errors.unknownUploadPart(index, partId, uploadId);
      if (seen.has(partId)) throw errors.duplicateUploadPart(index, partId);
      seen.add(partId);
      return part;
    });
  }

  /** Ends a pending upload and deletes its parts' bytes; a concurrent end makes this one a 400. */
  async #finish(project: string, stored: StoredUpload, file?: StoredFile): Promise<void> {
    const partKeys = await this.store.uploads.finish(project, stored, file);
    if (partKeys === undefined) throw errors.uploadNotPending(stored.upload.id, 'no longer pending');
    await Promise.all(partKeys.map((key) => this.blobs.delete(key)));
  }

  /** The upload if it still accepts parts; an expired one is marked so (and its parts dropped) on the way. */
  async #pending(project: string, uploadId: string): Promise<StoredUpload> {
    const stored = await this.store.uploads.get(project, uploadId);
    if (!stored) throw errors.notFound('upload', uploadId);
    if (stored.upload.status === 'pending' && stored.upload.expires_at <= nowSeconds()) {
      const expired: StoredUpload = { ...stored, upload: { ...stored.upload, status: 'expired' } };
      await this.#finish(project, expired).catch(() => undefined);
      throw errors.uploadNotPending(uploadId, 'expired');
    }
    if (stored.upload.status !== 'pending') throw errors.uploadNotPending(uploadId, stored.upload.status);
    return stored;
  }
}

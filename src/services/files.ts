import type { Readable } from 'node:stream';
import type { PageRequest } from '../api/pagination.js';
import type { OpenAIFile } from '../api/types.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import { guessContentType } from '../files/content-type.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store, StoredFile } from '../store/store.js';
import type { StorageQuota } from './storage-quota.js';

/** Purposes a client may upload with (`CreateFileRequest.purpose`). */
export const UPLOAD_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;

/** File bytes already written to the blob store, waiting to become a File. */
export interface StagedBlob {
  blobKey: string;
  bytes: number;
}

export interface NewFile {
  staged: StagedBlob;
  filename: string;
  purpose: string;
  /** The media type the client declared, if any. */
  contentType?: string | undefined;
  expiresAfterSeconds?: number | undefined;
}

export class FileService {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly quota: StorageQuota,
    /** Called after a file is deleted, so what refers to it (vector stores) lets go too. */
    private readonly onDeleted: (project: string, fileId: string) => Promise<void> = async () => undefined,
  ) {}

  /** A fresh blob key for bytes that may become a file. */
  newBlobKey(): string {
    return `files/${newId('file-')}`;
  }

  /** Turns staged bytes into a File; on any validation error the staged bytes are removed. */
  async create(project: string, input: NewFile): Promise<OpenAIFile> {
    try {
      const stored = this.build(input);
      await this.quota.admit(project, stored.file.bytes, () => this.store.files.insert(project, stored));
      return stored.file;
    } catch (error) {
      await this.blobs.delete(input.staged.blobKey);
      throw error;
    }
  }

  /** The File record for staged bytes, validated but not yet saved. */
  build(input: NewFile): StoredFile {
    if (!(UPLOAD_PURPOSES as readonly string[]).includes(input.purpose)) {
      throw errors.invalidPurpose(input.purpose, UPLOAD_PURPOSES);
    }
    const createdAt = nowSeconds();
    const file: OpenAIFile = {
      id: newId('file-'),
      object: 'file',
      bytes: input.staged.bytes,
      created_at: createdAt,
      filename: input.filename,
      purpose: input.purpose as OpenAIFile['purpose'],
      status: 'processed',
      ...(input.expiresAfterSeconds === undefined ? {} : { expires_at: createdAt + input.expiresAfterSeconds }),
    };
    return { file, blobKey: input.staged.blobKey, contentType: guessContentType(input.filename, input.contentType) };
  }

  async get(project: string, id: string): Promise<OpenAIFile> {
    return (await this.#stored(project, id)).file;
  }

  async content(project: string, id: string): Promise<{ file: OpenAIFile; contentType: string; body: Readable }> {
    const stored = await this.#stored(project, id);
    return { file: stored.file, contentType: stored.contentType, body: await this.blobs.read(stored.blobKey) };
  }

  async delete(project: string, id: string): Promise<{ id: string; object: 'file'; deleted: true }> {
    const stored = await this.#stored(project, id);
    // Only the request that removed the record removes the bytes; a concurrent second delete is a 404.
    if (!(await this.store.files.delete(project, id))) throw errors.fileNotFound(id);
    await this.blobs.delete(stored.blobKey);
    await this.onDeleted(project, id);
    return { id, object: 'file', deleted: true };
  }

  list(project: string, page: PageRequest, purpose?: string) {
    return this.store.files.list(project, page, purpose === undefined ? {} : { purpose });
  }

  /** The file, unless it is missing or past its `expires_at`; an expired file is deleted on the way. */
  async #stored(project: string, id: string): Promise<StoredFile> {
    const stored = await this.store.files.get(project, id);
    if (!stored) throw errors.fileNotFound(id);
    if (stored.file.expires_at !== undefined && stored.file.expires_at <= nowSeconds()) {
      if (await this.store.files.delete(project, id)) await this.blobs.delete(stored.blobKey);
      throw errors.fileNotFound(id);
    }
    return stored;
  }
}

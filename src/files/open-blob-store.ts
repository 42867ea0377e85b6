import type { BlobStore } from './blob-store.js';
import { DiskBlobStore } from './disk-blob-store.js';
import { removeOrphanedPartials } from './partial-blobs.js';
import { S3BlobStore } from './s3-blob-store.js';
import { createS3Client, type S3Settings } from './s3-client.js';

/** Where file bytes live (BLOB_STORE): a folder on this machine, or an S3 bucket. */
export type BlobStoreSettings =
  | { readonly kind: 'disk'; readonly root: string }
  | ({ readonly kind: 's3' } & S3Settings);

export interface OpenedBlobStore {
  readonly blobs: BlobStore & { close(): Promise<void> };
  /**
   * Removes what writers that stopped mid-write left behind, without touching what live ones (this process, or
   * others sharing the store) are writing; `startedAtMs` is this process's start. Returns how many went.
   */
  removeLeftovers(startedAtMs: number): Promise<number>;
}

/** A day: far longer than any upload takes, so an older multipart upload's writer is gone. */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

export async function openBlobStore(settings: BlobStoreSettings): Promise<OpenedBlobStore> {
  if (settings.kind === 'disk') {
    return {
      blobs: await DiskBlobStore.open(settings.root),
      removeLeftovers: (startedAtMs) => removeOrphanedPartials(settings.root, startedAtMs),
    };
  }
  const blobs = new S3BlobStore({ client: createS3Client(settings), bucket: settings.bucket, prefix: settings.prefix });
  return {
    blobs,
    // The disk store's partial files have writer locks to tell a dead writer's from a live one's; a bucket has
    // nothing of the kind, so only age tells. A bucket lifecycle rule (AbortIncompleteMultipartUpload) does the
    // same without any process's help.
    removeLeftovers: (startedAtMs) => blobs.abortUploadsBefore(new Date(startedAtMs - STALE_UPLOAD_MS)),
  };
}

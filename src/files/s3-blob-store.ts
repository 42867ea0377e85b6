import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type BlobMeter, chunksOf, createBlobMeter } from './blob-meter.js';
import type { BlobStore, BlobWriteResult } from './blob-store.js';

const MiB = 1024 * 1024;

export interface S3BlobStoreOptions {
  /** The store owns it: `close` destroys it. */
  readonly client: S3Client;
  readonly bucket: string;
  /** Put before every key: `''`, or a path ending in `/`. */
  readonly prefix?: string;
  /** Bytes per multipart part (S3's minimum is 5 MiB; 10,000 parts of 8 MiB allow 78 GiB). */
  readonly partSize?: number;
  /** Parts uploaded at once. A write holds about (queueSize + 2) × partSize in memory, whatever the file's size. */
  readonly queueSize?: number;
}

/**
 * Blobs as objects in an S3 bucket. Writes go through `@aws-sdk/lib-storage`'s `Upload`, which cuts the stream
 * into parts and sends a few at a time, so memory stays bounded; a write that fails aborts its multipart upload,
 * and an object appears only once complete. S3 has no random access on this machine, so no `localPath`.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partSize: number;
  readonly #queueSize: number;

  constructor(options: S3BlobStoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ?? '';
    this.#partSize = options.partSize ?? 8 * MiB;
    this.#queueSize = options.queueSize ?? 4;
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  async write(key: string, source: Readable | AsyncIterable<Uint8Array>): Promise<BlobWriteResult> {
    return this.#upload(key, async (sink) => {
      await pipeline(chunksOf(source), sink);
    });
  }

  /**
   * Streams each source through this process into one new upload. A server-side copy (UploadPartCopy) would
   * move no bytes here, but it needs every part but the last to be at least 5 MiB (Uploads API parts can be
   * any size), it cannot give the md5 of the whole that callers need without reading it all back anyway, and
   * S3-compatible services often lack it (s3rver does). Memory stays as bounded as in `write`.
   */
  async concat(key: string, sources: readonly string[]): Promise<BlobWriteResult> {
    return this.#upload(key, async (sink) => {
      // Each source is opened only when its turn comes, so no response sits idle until its socket times out.
      for (const source of sources) await pipeline(await this.read(source), sink, { end: false });
      sink.end();
    });
  }

  async read(key: string): Promise<Readable> {
    const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }));
    // In Node the body is the HTTP response itself (an IncomingMessage), read as it arrives.
    return response.Body as Readable;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }));
      return head.ContentLength;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  /** Deleting a key that does not exist succeeds (S3 answers 204 either way). */
  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#objectKey(key) }));
  }

  /**
   * Aborts the multipart uploads under the prefix begun before `initiatedBefore`: what writers that died
   * mid-upload left (their parts are billed, yet no listing of objects shows them). Only old ones, since other
   * live processes may share the bucket and be mid-upload. Returns how many were aborted; a service without
   * ListMultipartUploads (s3rver) has none to show.
   */
  async abortUploadsBefore(initiatedBefore: Date): Promise<number> {
    let aborted = 0;
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const page = await this.#client
        .send(new ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: this.#prefix, ...markers }))
        .catch((error: unknown) => {
          if (error instanceof S3ServiceException && error.name === 'NotImplemented') return undefined;
          throw error;
        });
      for (const upload of page?.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated >= initiatedBefore) continue;
        await this.#client.send(
          new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: upload.Key, UploadId: upload.UploadId }),
        );
        aborted += 1;
      }
      if (!page?.IsTruncated) return aborted;
      markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
  }

  /**
   * Runs `fill` (which writes into and ends the sink) and the upload that reads the sink side by side. Whichever
   * fails first destroys the meter, which fails the other, so both always settle; then what the upload had
   * stored is removed.
   */
  async #upload(key: string, fill: (sink: BlobMeter['stream']) => Promise<void>): Promise<BlobWriteResult> {
    const meter = createBlobMeter();
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: this.#objectKey(key), Body: meter.stream },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      // We abort it ourselves below: lib-storage's own abort would replace the write's error with the abort's.
      leavePartsOnError: true,
    });
    // The first failure is the cause; the other side then fails only because the meter was destroyed.
    let cause: { error: unknown } | undefined;
    const failWith = (error: unknown): never => {
      cause ??= { error };
      meter.stream.destroy(error as Error);
      throw error;
    };
    const [, uploaded] = await Promise.allSettled([fill(meter.stream).catch(failWith), upload.done().catch(failWith)]);
    if (!cause) return meter.result();
    await this.#discard(key, upload, uploaded.status === 'fulfilled');
    throw cause.error;
  }

  /** Best effort: the start-up sweep (`abortUploadsBefore`) catches an upload whose abort failed. */
  async #discard(key: string, upload: Upload, completed: boolean): Promise<void> {
    try {
      if (completed) await this.delete(key);
      else if (upload.uploadId) {
        await this.#client.send(
          new AbortMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: this.#objectKey(key),
            UploadId: upload.uploadId,
          }),
        );
      }
    } catch {
      // The write's own error is the one worth reporting.
    }
  }

  #objectKey(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/.test(key) || key.includes('..')) throw new Error(`invalid blob key: ${key}`);
    return `${this.#prefix}${key}`;
  }
}

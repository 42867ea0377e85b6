import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's one account; the server under test signs with it like any S3 client. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A request s3rver received: `PUT /bucket/key?partNumber=1&uploadId=…`. */
export interface S3Request {
  method: string;
  url: string;
}

export interface TestS3Server {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** A client for inspecting buckets (owned by this helper: `close` destroys it). */
  client: S3Client;
  /** Every request received so far, in order. */
  requests: S3Request[];
  /** Creates a bucket with a fresh name, so tests sharing this server never see each other's objects. */
  createBucket(): Promise<string>;
  /** The env that points a test server's blob store at `bucket` (and `prefix`). */
  serverEnv(bucket: string, prefix?: string): Record<string, string>;
  /** The keys under `prefix` in `bucket`, sorted. */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  /** The stored size of `key`, or `undefined` when there is no such object. */
  objectSize(bucket: string, key: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** A local S3 (s3rver) on a free port over a temporary folder, removed again by `close`. */
export async function startS3Server(): Promise<TestS3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true });
  const { port } = await s3rver.run();
  const requests: S3Request[] = [];
  s3rver.httpServer.on('request', (request) => requests.push({ method: request.method ?? '', url: request.url ?? '' }));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS });
  return {
    endpoint,
    client,
    requests,
    async createBucket() {
      // Bucket names are 3–63 lowercase letters, digits and hyphens.
      const bucket = `test-${randomBytes(6).toString('hex')}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    serverEnv(bucket, prefix) {
      return {
        BLOB_STORE: 's3',
        S3_BUCKET: bucket,
        S3_ENDPOINT: endpoint,
        S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        ...(prefix === undefined ? {} : { S3_PREFIX: prefix }),
      };
    },
    async keys(bucket, prefix = '') {
      const keys: string[] = [];
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) keys.push(object.Key!);
      }
      return keys.sort();
    },
    async objectSize(bucket, key) {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
    async close() {
      client.destroy();
      await s3rver.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

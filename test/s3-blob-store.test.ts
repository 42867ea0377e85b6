import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, loadConfig } from '../src/config.js';
import { readAll } from '../src/files/read-all.js';
import { S3BlobStore } from '../src/files/s3-blob-store.js';
import { createS3Client } from '../src/files/s3-client.js';
import { startS3Server, type TestS3Server } from './helpers/s3-server.js';

const MiB = 1024 * 1024;
/** S3's smallest part, so a dozen MiB already makes a multipart upload of three parts. */
const PART_SIZE = 5 * MiB;
const PREFIX = 'unit/';

let s3: TestS3Server;
let bucket: string;
let store: S3BlobStore;

before(async () => {
  s3 = await startS3Server();
  bucket = await s3.createBucket();
  store = storeOver(s3Client());
});

after(async () => {
  await store?.close();
  await s3?.close();
});

function s3Client(): S3Client {
  const env = s3.serverEnv(bucket, PREFIX);
  const settings = loadConfig(env).blobStore;
  assert.equal(settings.kind, 's3');
  return createS3Client(settings);
}

function storeOver(client: S3Client): S3BlobStore {
  return new S3BlobStore({ client, bucket, prefix: PREFIX, partSize: PART_SIZE, queueSize: 2 });
}

/** Distinct, incompressible-looking bytes: a byte-exact comparison would notice any reordered or dropped part. */
function bytesOf(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += 1) bytes[offset] = (offset * 31 + seed * 7 + (offset >> 10)) & 0xff;
  return bytes;
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Yields `bytes` in 1 MiB chunks, then fails with `failure` if one is given. */
async function* chunked(bytes: Buffer, failure?: Error): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += MiB) yield bytes.subarray(offset, offset + MiB);
  if (failure) throw failure;
}

describe('S3BlobStore against s3rver', () => {
  test('a small write is stored under the prefix with its size and md5, and reads back byte for byte', async () => {
    const bytes = bytesOf(1000, 1);
    assert.deepEqual(await store.write('files/small', chunked(bytes)), { bytes: 1000, md5: md5(bytes) });
    assert.equal(await store.size('files/small'), 1000);
    assert.deepEqual(Buffer.from(await readAll(await store.read('files/small'))), bytes);
    assert.ok((await s3.keys(bucket)).includes(`${PREFIX}files/small`));
  });

  test('a write larger than a part becomes a multipart upload whose parts come back in order', async () => {
    const bytes = bytesOf(12 * MiB + 3, 2);
    const before = s3.requests.length;
    assert.deepEqual(await store.write('files/multi', chunked(bytes)), { bytes: bytes.length, md5: md5(bytes) });
    const parts = s3.requests.slice(before).filter((request) => /[?&]partNumber=\d+/.test(request.url));
    assert.equal(parts.length, 3);
    assert.equal(await store.size('files/multi'), bytes.length);
    assert.ok(Buffer.from(await readAll(await store.read('files/multi'))).equals(bytes));
  });

  test('an empty write stores an empty object', async () => {
    assert.deepEqual(await store.write('files/empty', chunked(Buffer.alloc(0))), {
      bytes: 0,
      md5: md5(Buffer.alloc(0)),
    });
    assert.equal(await store.size('files/empty'), 0);
  });

  test('concat streams the sources one after another into a new object', async () => {
    const sources = [bytesOf(3 * MiB, 3), bytesOf(6 * MiB + 1, 4), bytesOf(1, 5)];
    for (const [index, bytes] of sources.entries()) await store.write(`parts/u1/p${index}`, chunked(bytes));
    const whole = Buffer.concat(sources);
    const written = await store.concat('files/assembled', ['parts/u1/p0', 'parts/u1/p1', 'parts/u1/p2']);
    assert.deepEqual(written, { bytes: whole.length, md5: md5(whole) });
    assert.ok(Buffer.from(await readAll(await store.read('files/assembled'))).equals(whole));
    // The sources are untouched: deleting them is the caller's business.
    assert.equal(await store.size('parts/u1/p1'), 6 * MiB + 1);
  });

  test('concat with a missing source fails and stores nothing', async () => {
    await store.write('parts/u2/p0', chunked(bytesOf(6 * MiB, 6)));
    await assert.rejects(store.concat('files/never', ['parts/u2/p0', 'parts/u2/missing']), { name: 'NoSuchKey' });
    assert.equal(await store.size('files/never'), undefined);
  });

  test('a source that fails mid-write rejects with its own error, aborts the multipart upload and stores nothing', async () => {
    const failure = new Error('client went away');
    const before = s3.requests.length;
    await assert.rejects(store.write('files/cut', chunked(bytesOf(12 * MiB, 7), failure)), failure);
    const sent = s3.requests.slice(before);
    const uploadId = /[?&]uploads?[Ii]d=([0-9a-f]+)/.exec(
      sent.find((request) => /partNumber=/.test(request.url))!.url,
    )?.[1];
    assert.ok(uploadId, 'parts were uploaded before the failure');
    // s3rver cannot abort (405); the write's error is still the one reported, and the attempt was made.
    assert.ok(sent.some((request) => request.method === 'DELETE' && request.url.includes(`uploadId=${uploadId}`)));
    assert.ok(
      !sent.some((request) => request.method === 'POST' && /[?&]uploadId=/.test(request.url)),
      'never completed',
    );
    assert.equal(await store.size('files/cut'), undefined);
  });

  test('a source that fails before a part is full sends nothing at all', async () => {
    const before = s3.requests.length;
    await assert.rejects(store.write('files/early', chunked(bytesOf(MiB, 8), new Error('cut'))), /cut/);
    assert.deepEqual(s3.requests.slice(before), []);
  });

  test('a missing key has no size, cannot be read, and deleting it succeeds', async () => {
    assert.equal(await store.size('files/nothing-here'), undefined);
    await assert.rejects(store.read('files/nothing-here'), { name: 'NoSuchKey' });
    await store.delete('files/nothing-here');
  });

  test('delete removes the object', async () => {
    await store.write('files/doomed', chunked(bytesOf(10, 9)));
    await store.delete('files/doomed');
    assert.equal(await store.size('files/doomed'), undefined);
    assert.ok(!(await s3.keys(bucket)).includes(`${PREFIX}files/doomed`));
  });

  test('keys that could escape the prefix are refused before any request', async () => {
    const before = s3.requests.length;
    await assert.rejects(store.size('../other/key'), /invalid blob key/);
    await assert.rejects(store.write('/absolute', chunked(Buffer.from('x'))), /invalid blob key/);
    assert.equal(s3.requests.length, before);
  });

  test('abortUploadsBefore says none were found where the service cannot list uploads (s3rver)', async () => {
    assert.equal(await store.abortUploadsBefore(new Date()), 0);
  });
});

describe('S3BlobStore.abortUploadsBefore', () => {
  test('aborts, page after page, the uploads under the prefix begun before the cut-off', async () => {
    // A real client whose requests are answered by a middleware: ListMultipartUploads is what s3rver lacks.
    const client = s3Client();
    const pages = [
      {
        IsTruncated: true,
        NextKeyMarker: 'unit/files/b',
        NextUploadIdMarker: 'u2',
        Uploads: [
          { Key: 'unit/files/a', UploadId: 'u1', Initiated: new Date('2026-01-01T00:00:00Z') },
          { Key: 'unit/files/b', UploadId: 'u2', Initiated: new Date('2026-01-02T12:00:00Z') },
        ],
      },
      { IsTruncated: false, Uploads: [{ Key: 'unit/parts/c', UploadId: 'u3', Initiated: new Date('2025-12-01') }] },
    ];
    const listed: unknown[] = [];
    const aborted: unknown[] = [];
    client.middlewareStack.add(
      (_next: any, context: any) => async (args: any) => {
        if (context.commandName === 'ListMultipartUploadsCommand') {
          listed.push(args.input);
          return { output: { ...pages[listed.length - 1], $metadata: {} }, response: {} };
        }
        assert.equal(context.commandName, 'AbortMultipartUploadCommand');
        aborted.push(args.input);
        return { output: { $metadata: {} }, response: {} };
      },
      { step: 'initialize' },
    );
    const answered = storeOver(client);
    try {
      assert.equal(await answered.abortUploadsBefore(new Date('2026-01-02T00:00:00Z')), 2);
    } finally {
      await answered.close();
    }
    assert.deepEqual(listed, [
      { Bucket: bucket, Prefix: PREFIX },
      { Bucket: bucket, Prefix: PREFIX, KeyMarker: 'unit/files/b', UploadIdMarker: 'u2' },
    ]);
    assert.deepEqual(aborted, [
      { Bucket: bucket, Key: 'unit/files/a', UploadId: 'u1' },
      { Bucket: bucket, Key: 'unit/parts/c', UploadId: 'u3' },
    ]);
  });
});

describe('BLOB_STORE configuration', () => {
  test('disk is the default: blobs/ under DATA_DIR', () => {
    assert.deepEqual(loadConfig({ DATA_DIR: '/srv/data' }).blobStore, { kind: 'disk', root: '/srv/data/blobs' });
  });

  test('s3 with an endpoint: path-style addressing, us-east-1, the prefix made a folder', () => {
    const env = { BLOB_STORE: 's3', S3_BUCKET: 'bytes', S3_ENDPOINT: 'http://localhost:9000', S3_PREFIX: '/tenant-a' };
    assert.deepEqual(loadConfig(env).blobStore, {
      kind: 's3',
      bucket: 'bytes',
      endpoint: 'http://localhost:9000',
      region: 'us-east-1',
      credentials: undefined,
      forcePathStyle: true,
      prefix: 'tenant-a/',
    });
  });

  test('s3 on AWS: virtual-hosted addressing, the region and keys given, no prefix', () => {
    const env = {
      BLOB_STORE: 's3',
      S3_BUCKET: 'bytes',
      S3_REGION: 'eu-west-3',
      S3_ACCESS_KEY_ID: 'AKIA1',
      S3_SECRET_ACCESS_KEY: 'secret',
    };
    assert.deepEqual(loadConfig(env).blobStore, {
      kind: 's3',
      bucket: 'bytes',
      endpoint: undefined,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret' },
      forcePathStyle: false,
      prefix: '',
    });
  });

  test('S3_FORCE_PATH_STYLE overrides what the endpoint implies', () => {
    const base = { BLOB_STORE: 's3', S3_BUCKET: 'bytes' };
    const withEndpoint = loadConfig({ ...base, S3_ENDPOINT: 'https://r2.example', S3_FORCE_PATH_STYLE: 'false' });
    assert.equal(withEndpoint.blobStore.kind === 's3' && withEndpoint.blobStore.forcePathStyle, false);
    const onAws = loadConfig({ ...base, S3_FORCE_PATH_STYLE: 'true' });
    assert.equal(onAws.blobStore.kind === 's3' && onAws.blobStore.forcePathStyle, true);
  });

  test('mistakes stop start-up with a ConfigError naming the variable', () => {
    const s3 = { BLOB_STORE: 's3', S3_BUCKET: 'bytes' };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ BLOB_STORE: 'gcs' }, /BLOB_STORE must be 'disk' or 's3', got 'gcs'/],
      [{ BLOB_STORE: 's3' }, /BLOB_STORE=s3 needs S3_BUCKET/],
      [{ ...s3, S3_ACCESS_KEY_ID: 'AKIA1' }, /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together/],
      [{ ...s3, S3_SECRET_ACCESS_KEY: 'secret' }, /S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together/],
      [{ ...s3, S3_ENDPOINT: 'localhost:9000' }, /S3_ENDPOINT must be an http/],
      [{ ...s3, S3_FORCE_PATH_STYLE: 'yes' }, /S3_FORCE_PATH_STYLE must be true or false/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });
});

import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { sha256Of, writeRandomFile } from './helpers/file-fixtures.js';
import { startS3Server, type TestS3Server } from './helpers/s3-server.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

/** OpenAI's largest file. */
const FILE_BYTES = 512 * 1024 * 1024;
/**
 * How much the server's peak memory may grow while 512 MB go to the bucket and back. A write holds about
 * (queueSize + 2) × partSize = 48 MB of parts; the rest is the slack files-large.test.ts allows the disk store.
 */
const MAX_PEAK_GROWTH_BYTES = 100 * 1024 * 1024;

let s3: TestS3Server;
let bucket: string;
let server: TestServer;
let workDir: string;

before(async () => {
  s3 = await startS3Server();
  bucket = await s3.createBucket();
  server = await startTestServer({ env: { ...s3.serverEnv(bucket), EMBEDDING_MODEL: 'none' } });
  workDir = mkdtempSync(path.join(tmpdir(), 'files-s3-large-'));
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
  await s3?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('a 512 MB file goes to the bucket and back byte for byte while the server memory stays flat', {
  timeout: 600_000,
}, async () => {
  const source = path.join(workDir, 'large.bin');
  const expectedSha256 = await writeRandomFile(source, FILE_BYTES);
  assert.equal(statSync(source).size, FILE_BYTES);
  const client = sdkClient(server);
  // A multipart upload of a few parts and its download first, so the baseline already holds what streaming
  // costs at any size (the parts in flight, V8 growing its young generation); what must not grow is per-byte.
  const warmUp = await client.files.create({
    file: await toFile(Buffer.alloc(40 * 1024 * 1024, 1), 'warm-up.bin'),
    purpose: 'assistants',
  });
  await (await client.files.content(warmUp.id)).arrayBuffer();

  const peakBefore = server.peakRssBytes();
  const created = await client.files.create({ file: createReadStream(source), purpose: 'assistants' });
  assert.equal(created.bytes, FILE_BYTES);
  const objects = await s3.keys(bucket, 'files/');
  assert.equal(objects.length, 2);
  assert.deepEqual(
    (await Promise.all(objects.map((key) => s3.objectSize(bucket, key)))).sort((a, b) => a! - b!),
    [40 * 1024 * 1024, FILE_BYTES],
  );

  const response = await client.files.content(created.id);
  assert.equal(response.headers.get('content-length'), String(FILE_BYTES));
  const downloaded = await sha256Of(response.body as unknown as AsyncIterable<Uint8Array>);
  assert.equal(downloaded.bytes, FILE_BYTES);
  assert.equal(downloaded.sha256, expectedSha256);

  const growth = server.peakRssBytes() - peakBefore;
  assert.ok(
    growth < MAX_PEAK_GROWTH_BYTES,
    `server peak RSS grew by ${(growth / 1024 / 1024).toFixed(1)} MB (from ${(peakBefore / 1024 / 1024).toFixed(1)} MB) for a 512 MB round trip`,
  );
});

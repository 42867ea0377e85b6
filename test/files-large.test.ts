import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { sha256Of, writeRandomFile } from './helpers/file-fixtures.js';
import { testBackend } from './helpers/test-backend.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

const FILE_BYTES = 100 * 1024 * 1024;
/**
 * How much the server's peak memory may grow while it streams 100 MB in and out. On S3 (the PostgreSQL pass) an
 * upload keeps up to 4 parts of 8 MiB in flight plus the one filling, so its budget is files-s3-large's.
 */
const MAX_PEAK_GROWTH_BYTES = (testBackend() === 'postgres' ? 100 : 60) * 1024 * 1024;

let server: TestServer;
let workDir: string;

before(async () => {
  server = await startTestServer();
  workDir = mkdtempSync(path.join(tmpdir(), 'files-large-'));
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('a 100 MB file round-trips byte for byte while the server memory stays flat', { timeout: 300_000 }, async () => {
  const source = path.join(workDir, 'large.bin');
  const expectedSha256 = await writeRandomFile(source, FILE_BYTES);
  assert.equal(statSync(source).size, FILE_BYTES);
  const client = sdkClient(server);
  // Stream a few MB through both paths first, so the baseline already includes what streaming
  // costs at any size (V8 growing its young generation, parser buffers); what must not grow is per-byte.
  const warmUp = await client.files.create({
    file: await toFile(Buffer.alloc(8 * 1024 * 1024, 1), 'warm-up.bin'),
    purpose: 'assistants',
  });
  await (await client.files.content(warmUp.id)).arrayBuffer();

  const peakBefore = server.peakRssBytes();
  const created = await client.files.create({ file: createReadStream(source), purpose: 'assistants' });
  assert.equal(created.bytes, FILE_BYTES);
  assert.equal(created.filename, 'large.bin');

  const response = await client.files.content(created.id);
  assert.equal(response.headers.get('content-length'), String(FILE_BYTES));
  const downloaded = await sha256Of(response.body as unknown as AsyncIterable<Uint8Array>);
  assert.equal(downloaded.bytes, FILE_BYTES);
  assert.equal(downloaded.sha256, expectedSha256);

  const growth = server.peakRssBytes() - peakBefore;
  assert.ok(
    growth < MAX_PEAK_GROWTH_BYTES,
    `server peak RSS grew by ${(growth / 1024 / 1024).toFixed(1)} MB (from ${(peakBefore / 1024 / 1024).toFixed(1)} MB) for a 100 MB round trip`,
  );
});

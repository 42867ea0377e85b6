import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { md5OfBuffer, rejectsWith } from './helpers/file-fixtures.js';
import { pollUntil } from './helpers/poll.js';
import { startS3Server, type TestS3Server } from './helpers/s3-server.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';

const MiB = 1024 * 1024;
const MAX_FILE_BYTES = 24 * MiB;
const PREFIX = 'assistants/';

let s3: TestS3Server;
let bucket: string;
let server: TestServer;
let client: OpenAI;

before(async () => {
  s3 = await startS3Server();
  bucket = await s3.createBucket();
  server = await startTestServer({
    env: { ...s3.serverEnv(bucket, PREFIX), EMBEDDING_MODEL: 'none', MAX_FILE_BYTES: String(MAX_FILE_BYTES) },
  });
  client = sdkClient(server);
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
  await s3?.close();
});

/** Bytes that differ at every offset, so a dropped or reordered part shows. */
function bytesOf(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += 1) bytes[offset] = (offset * 13 + seed + (offset >> 12)) & 0xff;
  return bytes;
}

async function download(id: string): Promise<Buffer> {
  return Buffer.from(await (await client.files.content(id)).arrayBuffer());
}

/** Runs `action` and returns the keys it added under `prefix` (and checks it removed none). */
async function keysAddedBy(prefix: string, action: () => Promise<unknown>): Promise<string[]> {
  const before = await s3.keys(bucket, prefix);
  await action();
  const after = await s3.keys(bucket, prefix);
  assert.deepEqual(
    before.filter((key) => !after.includes(key)),
    [],
  );
  return after.filter((key) => !before.includes(key));
}

describe('files with BLOB_STORE=s3', () => {
  test('an upload becomes one object under S3_PREFIX and downloads byte for byte', async () => {
    const bytes = bytesOf(10 * MiB + 7, 1);
    let created: OpenAI.FileObject | undefined;
    const added = await keysAddedBy(PREFIX, async () => {
      created = await client.files.create({ file: await toFile(bytes, 'photo.raw'), purpose: 'assistants' });
    });
    assert.equal(added.length, 1);
    assert.match(added[0]!, /^assistants\/files\/file-/);
    assert.equal(await s3.objectSize(bucket, added[0]!), bytes.length);
    assert.equal(created!.bytes, bytes.length);
    assert.deepEqual(await client.files.retrieve(created!.id), created);
    assert.ok((await download(created!.id)).equals(bytes));
  });

  test('deleting a file deletes its object from the bucket', async () => {
    let created: OpenAI.FileObject | undefined;
    const [key] = await keysAddedBy(PREFIX, async () => {
      created = await client.files.create({ file: await toFile(bytesOf(1000, 2), 'gone.bin'), purpose: 'assistants' });
    });
    assert.ok(key);
    assert.deepEqual(await client.files.delete(created!.id), { id: created!.id, object: 'file', deleted: true });
    assert.equal(await s3.objectSize(bucket, key), undefined);
    await rejectsWith(client.files.content(created!.id), { status: 404 });
  });

  test('the Uploads API assembles parts kept in the bucket, then deletes the parts', async () => {
    const parts = [bytesOf(6 * MiB, 3), bytesOf(3 * MiB + 1, 4), Buffer.from('the end')];
    const whole = Buffer.concat(parts);
    const upload = await client.uploads.create({
      bytes: whole.length,
      filename: 'assembled.bin',
      mime_type: 'application/octet-stream',
      purpose: 'assistants',
    });
    const partIds: string[] = [];
    for (const [index, bytes] of parts.entries()) {
      partIds.push((await client.uploads.parts.create(upload.id, { data: await toFile(bytes, `p${index}`) })).id);
    }
    assert.equal((await s3.keys(bucket, `${PREFIX}parts/${upload.id}/`)).length, 3);
    const completed = await client.uploads.complete(upload.id, { part_ids: partIds, md5: md5OfBuffer(whole) });
    assert.equal(completed.status, 'completed');
    assert.equal(completed.file!.bytes, whole.length);
    assert.ok((await download(completed.file!.id)).equals(whole));
    assert.deepEqual(await s3.keys(bucket, `${PREFIX}parts/${upload.id}/`), [], 'the parts are deleted once assembled');
  });

  test('a wrong md5 on complete leaves no assembled object behind', async () => {
    const upload = await client.uploads.create({
      bytes: 5,
      filename: 'x.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
    });
    const part = await client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('hello'), 'p') });
    const added = await keysAddedBy(`${PREFIX}files/`, () =>
      rejectsWith(client.uploads.complete(upload.id, { part_ids: [part.id], md5: md5OfBuffer(Buffer.from('other')) }), {
        status: 400,
      }),
    );
    assert.deepEqual(added, []);
  });

  test('a vector store ingests a file from its bytes in the bucket, and search finds its text', async () => {
    const file = await uploadFile(client, 'harbour.txt', 'The lighthouse keeper logs every passing schooner at dawn.');
    const store = await client.vectorStores.create({ name: 's3', file_ids: [file.id] });
    const ready = await waitForStore(client, store.id);
    assert.equal(ready.file_counts.completed, 1, JSON.stringify(ready.file_counts));
    const page = await client.vectorStores.search(store.id, { query: 'lighthouse schooner' });
    assert.equal(page.data[0]?.file_id, file.id);
    assert.match(page.data[0]!.content[0]!.text, /lighthouse keeper logs every passing schooner/);
  });

  test('an upload whose client goes away mid-way aborts its multipart upload and leaves no object', async () => {
    const before = s3.requests.length;
    const added = await keysAddedBy(PREFIX, async () => {
      const request = http.request(`${server.baseURL}/files`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer test-key',
          'content-type': 'multipart/form-data; boundary=xyz',
          'content-length': String(20 * MiB),
        },
      });
      const closed = new Promise((resolve) => request.on('close', resolve));
      request.on('error', () => undefined);
      request.write('--xyz\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n');
      request.write(bytesOf(12 * MiB, 5));
      // Cut off once a part has reached the bucket, so there is a multipart upload to abort.
      await pollUntil(() => s3.requests.slice(before).some((each) => /[?&]partNumber=/.test(each.url)), {
        what: 'a part of the upload to reach s3rver',
      });
      request.destroy();
      await closed;
      await pollUntil(() => s3.requests.slice(before).some((each) => each.method === 'DELETE'), {
        what: 'the server to abort the multipart upload',
      });
    });
    assert.deepEqual(added, []);
    const uploadIds = s3.requests.slice(before).flatMap((each) => /[?&]uploadId=(\w+)/.exec(each.url)?.[1] ?? []);
    const aborts = s3.requests.slice(before).filter((each) => each.method === 'DELETE');
    assert.equal(aborts.length, 1);
    assert.ok(aborts[0]!.url.includes(`uploadId=${uploadIds[0]}`), 'the abort names the upload the parts went to');
  });

  test('a file over MAX_FILE_BYTES is a 413 and leaves no object', async () => {
    const file = await toFile(bytesOf(MAX_FILE_BYTES + 1, 6), 'big.bin');
    const added = await keysAddedBy(PREFIX, () =>
      rejectsWith(client.files.create({ file, purpose: 'assistants' }), { status: 413, code: 'file_too_large' }),
    );
    assert.deepEqual(added, []);
  });

  test('start-up sweeps for stale uploads quietly where the service cannot list them (s3rver)', () => {
    const warnings = server.logs
      .filter((entry) => typeof entry.level === 'number' && entry.level >= 40)
      .map((entry) => String(entry.msg))
      // This file leaves API_KEYS and the model provider unset, which the server rightly warns about.
      .filter((message) => !message.startsWith('API_KEYS is not set') && !message.startsWith('no model provider'));
    assert.deepEqual(warnings, []);
  });
});

test('with BLOB_STORE=s3 the server prints JSON lines only on stdout, and no AWS SDK warning on stderr', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'files-s3-stdout-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      DATA_DIR: dataDir,
      EMBEDDING_MODEL: 'none',
      ...s3.serverEnv(bucket),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening\n${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line.includes('listening on')) resolve();
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.ok(lines.length > 0);
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
});

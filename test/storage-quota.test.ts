import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { StorageQuota } from '../src/services/storage-quota.js';
import { sdkClient } from './helpers/client.js';
import { listBlobs, rejectsWith } from './helpers/file-fixtures.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

// 0.000001 GB of 1024³ bytes: 1,073 bytes per project.
const LIMIT_GB = '0.000001';
const LIMIT_BYTES = 1073;
const QUOTA_MESSAGE =
  'You have exceeded your file storage quota. Projects are limited to 0.000001 GB of files. ' +
  'Please delete old files or attempt with a smaller file size.';

let server: TestServer;
let alpha: OpenAI;
let beta: OpenAI;
let gamma: OpenAI;

before(async () => {
  server = await startTestServer({
    env: {
      API_KEYS: 'key-a=alpha,key-b=beta,key-c=gamma,key-d=delta,key-e=epsilon',
      PROJECT_STORAGE_LIMIT_GB: LIMIT_GB,
    },
  });
  alpha = sdkClient(server, 'key-a');
  beta = sdkClient(server, 'key-b');
  gamma = sdkClient(server, 'key-c');
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
});

const upload = async (client: OpenAI, bytes: number, name = 'data.txt') =>
  client.files.create({ file: await toFile(Buffer.alloc(bytes, 'x'), name), purpose: 'assistants' });

async function rawUpload(key: string, bytes: number): Promise<Response> {
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new Blob([Buffer.alloc(bytes, 'y')]), 'raw.txt');
  return fetch(`${server.baseURL}/files`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
}

test('an upload past the limit is a 400 in OpenAI shape naming it, and leaves no bytes behind', async () => {
  const kept = await upload(alpha, 1000);
  assert.equal(kept.bytes, 1000);
  const blobsBefore = listBlobs(server.dataDir).length;

  const refused = await rawUpload('key-a', LIMIT_BYTES - 1000 + 1);
  assert.equal(refused.status, 400);
  assert.deepEqual(await refused.json(), {
    error: { message: QUOTA_MESSAGE, type: 'invalid_request_error', param: null, code: null },
  });
  assert.equal(listBlobs(server.dataDir).length, blobsBefore);
  // What still fits is accepted: the limit is inclusive.
  assert.equal((await upload(alpha, LIMIT_BYTES - 1000)).bytes, LIMIT_BYTES - 1000);
  await rejectsWith(upload(alpha, 1), { status: 400, message: QUOTA_MESSAGE });
});

test('other projects keep their own quota', async () => {
  const file = await upload(beta, LIMIT_BYTES);
  assert.equal(file.bytes, LIMIT_BYTES);
  await rejectsWith(upload(beta, 1), { status: 400, message: QUOTA_MESSAGE });
});

test('deleting files frees their quota', async () => {
  const first = await upload(gamma, 800);
  await rejectsWith(upload(gamma, 800), { status: 400, message: QUOTA_MESSAGE });
  await gamma.files.delete(first.id);
  assert.equal((await upload(gamma, 800)).bytes, 800);
});

test('the Uploads API is held to the quota at create, add part and complete', async () => {
  const delta = sdkClient(server, 'key-d');
  const params = { filename: 'big.txt', mime_type: 'text/plain', purpose: 'assistants' as const };
  // Declared too big: refused before any part is sent.
  await rejectsWith(delta.uploads.create({ ...params, bytes: LIMIT_BYTES + 1 }), {
    status: 400,
    message: QUOTA_MESSAGE,
  });

  // Parts past the quota are refused as they arrive.
  const tooMany = await delta.uploads.create({ ...params, bytes: 600 });
  await delta.uploads.parts.create(tooMany.id, { data: await toFile(Buffer.alloc(600, 'p'), 'part-1') });
  await rejectsWith(delta.uploads.parts.create(tooMany.id, { data: await toFile(Buffer.alloc(600, 'p'), 'part-2') }), {
    status: 400,
    message: QUOTA_MESSAGE,
  });
  await delta.uploads.cancel(tooMany.id);

  // It fitted when it started, but a File took the space meanwhile: completing is refused, and can be retried.
  const pending = await delta.uploads.create({ ...params, bytes: 600 });
  const part = await delta.uploads.parts.create(pending.id, { data: await toFile(Buffer.alloc(600, 'q'), 'part') });
  const squatter = await upload(delta, 600);
  await rejectsWith(delta.uploads.complete(pending.id, { part_ids: [part.id] }), {
    status: 400,
    message: QUOTA_MESSAGE,
  });
  await delta.files.delete(squatter.id);
  const completed = await delta.uploads.complete(pending.id, { part_ids: [part.id] });
  assert.equal(completed.status, 'completed');
  assert.equal(completed.file?.bytes, 600);
});

test('uploads racing for the same free space: only as many as fit are stored', async () => {
  const epsilon = sdkClient(server, 'key-e');
  const racers = Array.from({ length: 6 }, (_, index) => upload(epsilon, 600, `racer-${index}.txt`));
  const results = await Promise.allSettled(racers);
  assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
  for (const result of results) {
    if (result.status === 'rejected') assert.match(String(result.reason), /exceeded your file storage quota/);
  }
  assert.equal((await epsilon.files.list()).data.length, 1);
});

test('with a store that answers asynchronously, admissions of one project wait for each other', async () => {
  // SQLite answers synchronously, so the server cannot interleave a check and its insert; a networked
  // store (PostgreSQL) can, which is what the per-project lock is for.
  const stored = new Map<string, number>();
  const later = () => new Promise((resolve) => setTimeout(resolve, 5));
  const files = {
    totalBytes: async (project: string) => {
      await later();
      return stored.get(project) ?? 0;
    },
  };
  const quota = new StorageQuota(files, 1000 / 1024 ** 3);
  const save = (project: string, bytes: number) => async () => {
    await later();
    stored.set(project, (stored.get(project) ?? 0) + bytes);
  };
  const results = await Promise.allSettled([
    quota.admit('p', 600, save('p', 600)),
    quota.admit('p', 600, save('p', 600)),
    quota.admit('q', 600, save('q', 600)),
  ]);
  assert.deepEqual(
    results.map((result) => result.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(
    [...stored],
    [
      ['p', 600],
      ['q', 600],
    ],
  );
});

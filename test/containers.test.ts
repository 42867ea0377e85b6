import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { jsonOf, withBackendDb } from './helpers/backend-db.js';
import { sdkClient } from './helpers/client.js';
import { listBlobs, rejectsWith } from './helpers/file-fixtures.js';
import { pollUntil } from './helpers/poll.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

/** Small enough to pass with a few bytes to spare, so "too large" needs no big upload. */
const MAX_FILE_BYTES = 64 * 1024;

let server: TestServer;
let client: OpenAI;
let other: OpenAI;

before(async () => {
  server = await startTestServer({
    env: {
      API_KEYS: 'key-a=proj-a,key-b=proj-b',
      MAX_FILE_BYTES: String(MAX_FILE_BYTES),
      // The expiry sweep runs with the run sweep: fast, so a test sees it within moments.
      RUN_SWEEP_INTERVAL_MS: '200',
      EMBEDDING_MODEL: 'none',
    },
  });
  client = sdkClient(server, 'key-a');
  other = sdkClient(server, 'key-b');
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
});

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

async function uploadFile(name: string, text: string) {
  return client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'assistants' });
}

async function contentOf(containerId: string, fileId: string): Promise<string> {
  const response = await client.containers.files.content.retrieve(fileId, { container_id: containerId });
  return response.text();
}

/** Moves a container's last activity back, as if it had sat idle that long (nobody waits 20 minutes in a test). */
async function idleFor(containerId: string, seconds: number): Promise<void> {
  await withBackendDb(server.dataDir, async (db) => {
    const row = await db.get<{ data: unknown }>('SELECT data FROM containers WHERE id = ?', [containerId]);
    const data = jsonOf<{ last_active_at: number; expires_after: { minutes: number } }>(row!.data);
    data.last_active_at -= seconds;
    const expiresAt = data.last_active_at + data.expires_after.minutes * 60;
    const changed = await db.run('UPDATE containers SET data = ?, expires_at = ? WHERE id = ?', [
      JSON.stringify(data),
      expiresAt,
      containerId,
    ]);
    assert.equal(changed, 1);
  });
}

async function statusColumn(containerId: string): Promise<string | undefined> {
  const row = await withBackendDb(server.dataDir, (db) =>
    db.get<{ status: string }>('SELECT status FROM containers WHERE id = ?', [containerId]),
  );
  return row?.status;
}

const blobsOf = (containerId: string) => listBlobs(server.dataDir).filter((key) => key.includes(containerId));

describe('containers', () => {
  test('a container is created with OpenAI defaults, retrieved, listed (by name too) and deleted', async () => {
    const before = nowSeconds();
    const container = await client.containers.create({ name: 'Analysis' });
    assert.match(container.id, /^cntr_[A-Za-z0-9]{24}$/);
    assert.deepEqual(
      { ...container, created_at: 0, last_active_at: 0 },
      {
        id: container.id,
        object: 'container',
        name: 'Analysis',
        created_at: 0,
        status: 'running',
        expires_after: { anchor: 'last_active_at', minutes: 20 },
        last_active_at: 0,
        memory_limit: '1g',
      },
    );
    assert.ok(container.created_at >= before && container.last_active_at === container.created_at);
    assert.deepEqual(await client.containers.retrieve(container.id), container);

    const named = await client.containers.create({
      name: 'Sized',
      memory_limit: '4g',
      expires_after: { anchor: 'last_active_at', minutes: 5 },
      network_policy: { type: 'disabled' },
    });
    assert.equal(named.memory_limit, '4g');
    assert.deepEqual(named.expires_after, { anchor: 'last_active_at', minutes: 5 });
    const byName = await client.containers.list({ name: 'Sized' });
    assert.deepEqual(
      byName.data.map((listed) => listed.id),
      [named.id],
    );

    await client.containers.delete(container.id);
    await rejectsWith(client.containers.retrieve(container.id), {
      status: 404,
      message: `No container found with id '${container.id}'.`,
    });
    await rejectsWith(client.containers.delete(container.id), { status: 404 });
  });

  test('the list pages with limit and after, newest first by default, oldest first with order=asc', async () => {
    const ids: string[] = [];
    for (const name of ['page-1', 'page-2', 'page-3']) ids.push((await client.containers.create({ name })).id);
    const first = await client.containers.list({ limit: 2 });
    assert.equal(first.data.length, 2);
    assert.equal(first.has_more, true);
    assert.deepEqual(
      first.data.map((container) => container.id),
      [ids[2], ids[1]],
    );
    const next = await client.containers.list({ limit: 2, after: ids[1]! });
    assert.equal(next.data[0]!.id, ids[0]);
    const ascending = await client.containers.list({ order: 'asc', limit: 100 });
    const positions = ids.map((id) => ascending.data.findIndex((container) => container.id === id));
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    await rejectsWith(client.containers.list({ after: 'cntr_unknown' }), { status: 400, param: 'after' });
  });

  test('file_ids at create are copied into /mnt/data; the copies outlive the Files they came from', async () => {
    const csv = await uploadFile('sales.csv', 'month,revenue\njan,10\n');
    const notes = await uploadFile('notes.txt', 'remember');
    const container = await client.containers.create({ name: 'With files', file_ids: [csv.id, notes.id] });
    const files = (await client.containers.files.list(container.id, { order: 'asc' })).data;
    assert.deepEqual(
      files.map((file) => ({ path: file.path, source: file.source, bytes: file.bytes, object: file.object })),
      [
        { path: '/mnt/data/sales.csv', source: 'user', bytes: csv.bytes, object: 'container.file' },
        { path: '/mnt/data/notes.txt', source: 'user', bytes: notes.bytes, object: 'container.file' },
      ],
    );
    for (const file of files) {
      assert.match(file.id, /^cfile_/);
      assert.equal(file.container_id, container.id);
    }
    await client.files.delete(csv.id);
    assert.equal(await contentOf(container.id, files[0]!.id), 'month,revenue\njan,10\n');
  });

  test('a file is added by upload or by file_id, retrieved, downloaded, replaced at its path, and deleted', async () => {
    const container = await client.containers.create({ name: 'Files' });
    const uploaded = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('print("hi")\n'), 'script.py'),
    });
    assert.deepEqual(
      { ...uploaded, id: '', created_at: 0 },
      {
        id: '',
        object: 'container.file',
        container_id: container.id,
        created_at: 0,
        bytes: 12,
        path: '/mnt/data/script.py',
        source: 'user',
      },
    );
    assert.deepEqual(await client.containers.files.retrieve(uploaded.id, { container_id: container.id }), uploaded);
    const response = await client.containers.files.content.retrieve(uploaded.id, { container_id: container.id });
    assert.equal(response.headers.get('content-disposition'), "attachment; filename*=UTF-8''script.py");
    assert.equal(await response.text(), 'print("hi")\n');

    const source = await uploadFile('script.py', 'print("replaced")\n');
    const copied = await client.containers.files.create(container.id, { file_id: source.id });
    assert.equal(copied.path, '/mnt/data/script.py');
    // One file per path, as in a folder: the copy took the upload's place.
    const listed = await client.containers.files.list(container.id);
    assert.deepEqual(
      listed.data.map((file) => file.id),
      [copied.id],
    );
    await rejectsWith(client.containers.files.retrieve(uploaded.id, { container_id: container.id }), {
      status: 404,
      message: `No container file found with id '${uploaded.id}'.`,
    });
    assert.equal(await contentOf(container.id, copied.id), 'print("replaced")\n');

    await client.containers.files.delete(copied.id, { container_id: container.id });
    assert.deepEqual((await client.containers.files.list(container.id)).data, []);
    await rejectsWith(client.containers.files.delete(copied.id, { container_id: container.id }), { status: 404 });
    assert.deepEqual(blobsOf(container.id), []);
  });

  test('deleting a container removes its files and their bytes', async () => {
    const container = await client.containers.create({ name: 'Doomed' });
    const file = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('bytes'), 'a.txt'),
    });
    assert.equal(blobsOf(container.id).length, 1);
    await client.containers.delete(container.id);
    assert.deepEqual(blobsOf(container.id), []);
    await rejectsWith(client.containers.files.list(container.id), { status: 404 });
    await rejectsWith(client.containers.files.retrieve(file.id, { container_id: container.id }), { status: 404 });
    await rejectsWith(client.containers.files.content.retrieve(file.id, { container_id: container.id }), {
      status: 404,
    });
  });
});

describe('bad requests', () => {
  test('a memory_limit, expiry, network policy or skill the server cannot give is a 400 naming it', async () => {
    await rejectsWith(client.containers.create({ name: 'x', memory_limit: '2g' as '1g' }), {
      status: 400,
      param: 'memory_limit',
    });
    await rejectsWith(
      client.containers.create({ name: 'x', expires_after: { anchor: 'last_active_at', minutes: 0 } }),
      {
        status: 400,
        param: 'expires_after.minutes',
        code: 'integer_below_min_value',
      },
    );
    await rejectsWith(
      client.containers.create({ name: 'x', expires_after: { anchor: 'last_active_at', minutes: 1441 } }),
      { status: 400, param: 'expires_after.minutes', code: 'integer_above_max_value' },
    );
    await rejectsWith(
      client.containers.create({ name: 'x', network_policy: { type: 'allowlist', allowed_domains: ['pypi.org'] } }),
      { status: 400, param: 'network_policy.type' },
    );
    await rejectsWith(client.containers.create({ name: 'x', skills: [{ type: 'skill_reference', skill_id: 's' }] }), {
      status: 400,
      param: 'skills',
    });
    await rejectsWith(client.containers.create({} as { name: string }), { status: 400, param: 'name' });
  });

  test('unknown ids are 404s: container, container file, and a File to copy', async () => {
    await rejectsWith(client.containers.retrieve('cntr_missing'), { status: 404 });
    await rejectsWith(client.containers.files.list('cntr_missing'), { status: 404 });
    await rejectsWith(client.containers.files.create('cntr_missing', { file_id: 'file-x' }), { status: 404 });
    await rejectsWith(client.containers.create({ name: 'x', file_ids: ['file-missing'] }), {
      status: 404,
      param: 'file_ids',
      message: 'No such File object: file-missing',
    });
    const container = await client.containers.create({ name: 'Unknown files' });
    await rejectsWith(client.containers.files.retrieve('cfile_missing', { container_id: container.id }), {
      status: 404,
    });
    await rejectsWith(client.containers.files.create(container.id, { file_id: 'file-missing' }), {
      status: 404,
      param: 'file_id',
    });
  });

  test('a file needs exactly one source, and an upload over MAX_FILE_BYTES is a 413 that stores nothing', async () => {
    const container = await client.containers.create({ name: 'Sources' });
    await rejectsWith(client.containers.files.create(container.id, {}), { status: 400, param: 'file' });
    await rejectsWith(client.containers.files.create(container.id, { file_id: 42 as unknown as string }), {
      status: 400,
      param: 'file_id',
      code: 'invalid_type',
    });
    await rejectsWith(client.containers.files.create(container.id, { file: 'not bytes' as unknown as File }), {
      status: 400,
      param: 'file',
    });
    const source = await uploadFile('both.txt', 'both');
    await rejectsWith(
      client.containers.files.create(container.id, {
        file: await toFile(Buffer.from('x'), 'x.txt'),
        file_id: source.id,
      }),
      { status: 400, param: 'file_id' },
    );
    await rejectsWith(
      client.containers.files.create(container.id, { file: await toFile(Buffer.alloc(MAX_FILE_BYTES + 1), 'big.bin') }),
      { status: 413, code: 'file_too_large' },
    );
    assert.deepEqual((await client.containers.files.list(container.id)).data, []);
    assert.deepEqual(blobsOf(container.id), []);
  });

  test("another project's container and its files are 404s, and never listed", async () => {
    const container = await client.containers.create({ name: 'Private' });
    const file = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('secret'), 'secret.txt'),
    });
    await rejectsWith(other.containers.retrieve(container.id), { status: 404 });
    await rejectsWith(other.containers.delete(container.id), { status: 404 });
    await rejectsWith(other.containers.files.list(container.id), { status: 404 });
    await rejectsWith(other.containers.files.retrieve(file.id, { container_id: container.id }), { status: 404 });
    await rejectsWith(other.containers.files.content.retrieve(file.id, { container_id: container.id }), {
      status: 404,
    });
    await rejectsWith(other.containers.files.create(container.id, { file: await toFile(Buffer.from('x'), 'x') }), {
      status: 404,
    });
    const theirs = await other.containers.list({ limit: 100 });
    assert.equal(
      theirs.data.some((listed) => listed.id === container.id),
      false,
    );
    assert.equal(await contentOf(container.id, file.id), 'secret');
  });
});

describe('expiry', () => {
  test('a container idle past expires_after is expired: listed as such, its files gone, new files refused', async () => {
    const source = await uploadFile('kept.txt', 'kept until expiry');
    const container = await client.containers.create({
      name: 'Short-lived',
      file_ids: [source.id],
      expires_after: { anchor: 'last_active_at', minutes: 1 },
    });
    assert.equal(blobsOf(container.id).length, 1);
    await idleFor(container.id, 61);

    const expired = await client.containers.retrieve(container.id);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.last_active_at, container.last_active_at! - 61);
    const listed = await client.containers.list({ limit: 100 });
    assert.equal(listed.data.find((item) => item.id === container.id)?.status, 'expired');
    assert.deepEqual((await client.containers.files.list(container.id)).data, []);
    assert.deepEqual(blobsOf(container.id), []);
    await rejectsWith(
      client.containers.files.create(container.id, { file: await toFile(Buffer.from('late'), 'late.txt') }),
      { status: 400, message: 'Container is expired.' },
    );
    await rejectsWith(client.containers.files.create(container.id, { file_id: source.id }), {
      status: 400,
      message: 'Container is expired.',
    });
    await client.containers.delete(container.id);
    await rejectsWith(client.containers.retrieve(container.id), { status: 404 });
  });

  test('the sweep expires an idle container nobody asks about, and frees its files', async () => {
    const container = await client.containers.create({ name: 'Forgotten' });
    await client.containers.files.create(container.id, { file: await toFile(Buffer.from('x'), 'x.txt') });
    await idleFor(container.id, 20 * 60 + 1);
    // The sweep marks the container expired, then deletes its files' bytes: both must happen.
    await pollUntil(
      async () => (await statusColumn(container.id)) === 'expired' && blobsOf(container.id).length === 0,
      {
        what: 'the sweep to mark the container expired and free its files',
      },
    );
  });

  test('using a container moves its last_active_at, and so its expiry', async () => {
    const container = await client.containers.create({ name: 'Busy' });
    await idleFor(container.id, 19 * 60);
    await client.containers.files.create(container.id, { file: await toFile(Buffer.from('x'), 'x.txt') });
    const used = await client.containers.retrieve(container.id);
    assert.equal(used.status, 'running');
    assert.ok(used.last_active_at! >= container.last_active_at!, 'last_active_at moved to the upload');
  });
});

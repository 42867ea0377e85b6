import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';

const DAY_SECONDS = 86_400;

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});

after(async () => {
  await fixture?.close();
});

test('a store created with files goes from in_progress to completed, with counts and bytes', async () => {
  const { client } = fixture;
  const first = await uploadFile(
    client,
    'tides.txt',
    'Tides are caused by the gravitational pull of the moon and the sun.',
  );
  const second = await uploadFile(
    client,
    'volcanoes.md',
    '# Volcanoes\n\nMagma rises through the crust and erupts as lava.',
  );
  const before = Math.floor(Date.now() / 1000);
  const created = await client.vectorStores.create({
    name: 'Earth science',
    file_ids: [first.id, second.id],
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 } },
    metadata: { topic: 'geo' },
    expires_after: { anchor: 'last_active_at', days: 7 },
  });
  assert.match(created.id, /^vs_/);
  assert.equal(created.object, 'vector_store');
  assert.equal(created.name, 'Earth science');
  assert.deepEqual(created.metadata, { topic: 'geo' });
  assert.equal(created.status, 'in_progress');
  assert.deepEqual(created.file_counts, { in_progress: 2, completed: 0, failed: 0, cancelled: 0, total: 2 });
  assert.equal(created.usage_bytes, 0);
  assert.deepEqual(created.expires_after, { anchor: 'last_active_at', days: 7 });
  assert.ok(created.created_at >= before);
  assert.equal(created.last_active_at, created.created_at);
  assert.equal(created.expires_at, created.last_active_at! + 7 * DAY_SECONDS);

  const done = await waitForStore(client, created.id);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.file_counts, { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });
  assert.equal(done.usage_bytes, first.bytes + second.bytes);
  const files = await client.vectorStores.files.list(created.id);
  for (const file of files.data) {
    assert.deepEqual(file.chunking_strategy, {
      type: 'static',
      static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 },
    });
  }
});

test('a store without files is completed at once and never expires', async () => {
  const created = await fixture.client.vectorStores.create({});
  assert.equal(created.status, 'completed');
  assert.equal(created.name, '');
  assert.equal(created.expires_at, null);
  assert.deepEqual(created.file_counts, { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 });
  assert.deepEqual(await fixture.client.vectorStores.retrieve(created.id), created);
});

test('list pages through stores newest first, and respects limit/after/order', async () => {
  const { client } = fixture;
  const ids: string[] = [];
  for (let index = 0; index < 3; index++) ids.push((await client.vectorStores.create({ name: `page-${index}` })).id);
  const firstPage = await client.vectorStores.list({ limit: 2 });
  assert.deepEqual(
    firstPage.data.map((store) => store.id),
    [ids[2], ids[1]],
  );
  assert.equal(firstPage.has_more, true);
  const ascending = await client.vectorStores.list({ order: 'asc', after: ids[0]!, limit: 5 });
  assert.deepEqual(
    ascending.data.map((store) => store.id),
    [ids[1], ids[2]],
  );
  await rejectsWith(client.vectorStores.list({ limit: 101 }), { status: 400, param: 'limit' });
});

test('modify changes name, metadata and expiry; expires_after null removes it', async () => {
  const { client } = fixture;
  const created = await client.vectorStores.create({ name: 'before', metadata: { keep: 'yes', drop: 'me' } });
  const renamed = await client.vectorStores.update(created.id, {
    name: 'after',
    metadata: { drop: '', added: 'new' },
    expires_after: { anchor: 'last_active_at', days: 2 },
  });
  assert.equal(renamed.name, 'after');
  assert.deepEqual(renamed.metadata, { drop: '', added: 'new' });
  assert.equal(renamed.expires_at, renamed.last_active_at! + 2 * DAY_SECONDS);
  assert.deepEqual(await client.vectorStores.retrieve(created.id), renamed);

  const cleared = await client.vectorStores.update(created.id, { expires_after: null });
  assert.equal(cleared.expires_at, null);
  assert.equal(cleared.expires_after, undefined);
  assert.equal(cleared.name, 'after');
});

test('delete answers vector_store.deleted, then the store is 404 everywhere', async () => {
  const { client } = fixture;
  const file = await uploadFile(client, 'gone.txt', 'This store will be deleted with its chunks.');
  const created = await client.vectorStores.create({ file_ids: [file.id] });
  await waitForStore(client, created.id);
  assert.deepEqual(await client.vectorStores.delete(created.id), {
    id: created.id,
    object: 'vector_store.deleted',
    deleted: true,
  });
  await rejectsWith(client.vectorStores.retrieve(created.id), { status: 404, message: created.id });
  await rejectsWith(client.vectorStores.delete(created.id), { status: 404 });
  await rejectsWith(client.vectorStores.update(created.id, { name: 'x' }), { status: 404 });
  await rejectsWith(client.vectorStores.search(created.id, { query: 'chunks' }), { status: 404 });
  await rejectsWith(client.vectorStores.files.list(created.id), { status: 404 });
  await rejectsWith(client.vectorStores.files.retrieve(file.id, { vector_store_id: created.id }), { status: 404 });
  assert.ok(!(await client.vectorStores.list({ limit: 100 })).data.some((store) => store.id === created.id));
  // The File itself is untouched.
  assert.equal((await client.files.retrieve(file.id)).id, file.id);
});

test('unknown ids are 404s naming the id; unknown file_ids are rejected on create', async () => {
  const { client } = fixture;
  await rejectsWith(client.vectorStores.retrieve('vs_missing'), { status: 404, message: 'vs_missing' });
  await rejectsWith(client.vectorStores.create({ file_ids: ['file-missing'] }), {
    status: 404,
    param: 'file_ids',
    message: 'file-missing',
  });
  const store = await client.vectorStores.create({});
  await rejectsWith(client.vectorStores.files.create(store.id, { file_id: 'file-missing' }), {
    status: 404,
    param: 'file_id',
  });
  await rejectsWith(client.vectorStores.files.retrieve('file-missing', { vector_store_id: store.id }), {
    status: 404,
    message: 'file-missing',
  });
  await rejectsWith(client.vectorStores.fileBatches.retrieve('vsfb_missing', { vector_store_id: store.id }), {
    status: 404,
    message: 'vsfb_missing',
  });
  await rejectsWith(client.vectorStores.create({ expires_after: { anchor: 'last_active_at', days: 0 } }), {
    status: 400,
  });
});

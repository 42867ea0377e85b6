import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toFile } from 'openai';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { searchFileIds, uploadFile, waitForStore } from './helpers/vector-store-helpers.js';

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});

after(async () => {
  await fixture?.close();
});

test('files.create with chunking_strategy and attributes ingests the file and shows both', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({ name: 'files' });
  const file = await uploadFile(
    client,
    'glaciers.txt',
    'Glaciers carve valleys into U shapes over thousands of years.',
  );
  const created = await client.vectorStores.files.create(store.id, {
    file_id: file.id,
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 50 } },
    attributes: { region: 'alps', year: 2024, verified: true },
  });
  assert.equal(created.id, file.id);
  assert.equal(created.object, 'vector_store.file');
  assert.equal(created.vector_store_id, store.id);
  assert.equal(created.status, 'in_progress');
  assert.equal(created.last_error, null);
  assert.deepEqual(created.attributes, { region: 'alps', year: 2024, verified: true });
  assert.deepEqual(created.chunking_strategy, {
    type: 'static',
    static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 50 },
  });

  const done = await client.vectorStores.files.poll(store.id, file.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.usage_bytes, file.bytes);
  assert.deepEqual(await client.vectorStores.files.retrieve(file.id, { vector_store_id: store.id }), done);
  assert.deepEqual(await searchFileIds(client, store.id, 'glaciers valleys'), [file.id]);
});

test('uploadAndPoll uploads, attaches and waits; the default chunking is 800/400', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const attached = await client.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from('Coral reefs bleach in warm water.'), 'reefs.txt'),
  );
  assert.equal(attached.status, 'completed');
  assert.deepEqual(attached.chunking_strategy, {
    type: 'static',
    static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
  });
  assert.deepEqual(attached.attributes, {});
  assert.equal((await client.files.retrieve(attached.id)).filename, 'reefs.txt');
});

test('list filters by status, pages, and rejects an unknown filter', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const good = await uploadFile(client, 'good.txt', 'Plain words about photosynthesis and chlorophyll.');
  const bad = await uploadFile(client, 'bad.bin', new Uint8Array([0, 1, 2, 3, 0, 255, 0, 9]));
  await client.vectorStores.files.createAndPoll(store.id, { file_id: good.id });
  const failed = await client.vectorStores.files.createAndPoll(store.id, { file_id: bad.id });
  assert.equal(failed.status, 'failed');

  const all = await client.vectorStores.files.list(store.id);
  assert.deepEqual(
    all.data.map((file) => file.id),
    [bad.id, good.id],
  );
  const completed = await client.vectorStores.files.list(store.id, { filter: 'completed' });
  assert.deepEqual(
    completed.data.map((file) => file.id),
    [good.id],
  );
  const onlyFailed = await client.vectorStores.files.list(store.id, { filter: 'failed' });
  assert.deepEqual(
    onlyFailed.data.map((file) => file.id),
    [bad.id],
  );
  assert.deepEqual((await client.vectorStores.files.list(store.id, { filter: 'cancelled' })).data, []);
  const firstPage = await client.vectorStores.files.list(store.id, { limit: 1, order: 'asc' });
  assert.deepEqual(
    firstPage.data.map((file) => file.id),
    [good.id],
  );
  assert.equal(firstPage.has_more, true);
  await rejectsWith(client.vectorStores.files.list(store.id, { filter: 'done' as 'completed' }), {
    status: 400,
    param: 'filter',
    message: 'done',
  });
});

test('update replaces attributes; attributes are checked against the contract', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const file = await uploadFile(client, 'tagged.txt', 'Tagged content.');
  await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id, attributes: { old: 'value' } });
  const updated = await client.vectorStores.files.update(file.id, {
    vector_store_id: store.id,
    attributes: { fresh: 1 },
  });
  assert.deepEqual(updated.attributes, { fresh: 1 });
  assert.equal(updated.status, 'completed');
  assert.deepEqual((await client.vectorStores.files.retrieve(file.id, { vector_store_id: store.id })).attributes, {
    fresh: 1,
  });
  const result = await client.vectorStores.search(store.id, { query: 'tagged content' });
  assert.deepEqual(result.data[0]?.attributes, { fresh: 1 });
  await rejectsWith(
    client.vectorStores.files.update(file.id, {
      vector_store_id: store.id,
      attributes: { nested: { no: 1 } as unknown as string },
    }),
    {
      status: 400,
    },
  );
  await rejectsWith(client.vectorStores.files.update('file-missing', { vector_store_id: store.id, attributes: {} }), {
    status: 404,
  });
});

test('content returns the parsed text of the file', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const html =
    '<html><body><h1>Deserts</h1><p>Deserts receive less than 250 mm of rain a year.</p><script>var x = 1;</script></body></html>';
  const file = await uploadFile(client, 'deserts.html', html);
  await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id });
  const page = await client.vectorStores.files.content(file.id, { vector_store_id: store.id });
  const text = page.data.map((part) => part.text).join('');
  assert.equal(page.data[0]?.type, 'text');
  assert.match(text, /Deserts receive less than 250 mm of rain a year\./);
  assert.doesNotMatch(text, /<p>|<h1>/);
  await rejectsWith(client.vectorStores.files.content('file-missing', { vector_store_id: store.id }), { status: 404 });
});

test('a deleted vector store file answers vector_store.file.deleted and leaves search', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const kept = await uploadFile(client, 'kept.txt', 'Aurora borealis lights the polar sky.');
  const removed = await uploadFile(client, 'removed.txt', 'Aurora australis lights the southern polar sky.');
  await client.vectorStores.fileBatches.createAndPoll(store.id, { file_ids: [kept.id, removed.id] });
  assert.deepEqual(new Set(await searchFileIds(client, store.id, 'aurora polar sky')), new Set([kept.id, removed.id]));

  assert.deepEqual(await client.vectorStores.files.delete(removed.id, { vector_store_id: store.id }), {
    id: removed.id,
    object: 'vector_store.file.deleted',
    deleted: true,
  });
  assert.deepEqual(await searchFileIds(client, store.id, 'aurora polar sky southern'), [kept.id]);
  await rejectsWith(client.vectorStores.files.retrieve(removed.id, { vector_store_id: store.id }), { status: 404 });
  await rejectsWith(client.vectorStores.files.delete(removed.id, { vector_store_id: store.id }), { status: 404 });
  const counted = await client.vectorStores.retrieve(store.id);
  assert.deepEqual(counted.file_counts, { in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 });
  assert.equal(counted.usage_bytes, kept.bytes);
  // The File survives its removal from the store and can be added back.
  const again = await client.vectorStores.files.createAndPoll(store.id, { file_id: removed.id });
  assert.equal(again.status, 'completed');
  assert.deepEqual(new Set(await searchFileIds(client, store.id, 'aurora polar sky')), new Set([kept.id, removed.id]));
});

test('deleting the File itself removes it from every store and from search', async () => {
  const { client } = fixture;
  const file = await uploadFile(client, 'shared.txt', 'Monsoon rains arrive in June across South Asia.');
  const other = await uploadFile(client, 'other.txt', 'Monsoon winds reverse direction with the seasons.');
  const first = await client.vectorStores.create({ file_ids: [file.id, other.id] });
  const second = await client.vectorStores.create({ file_ids: [file.id] });
  await waitForStore(client, first.id);
  await waitForStore(client, second.id);
  assert.ok((await searchFileIds(client, second.id, 'monsoon rains')).includes(file.id));

  await client.files.delete(file.id);
  assert.deepEqual(await searchFileIds(client, first.id, 'monsoon rains june'), [other.id]);
  assert.deepEqual(await searchFileIds(client, second.id, 'monsoon rains june'), []);
  await rejectsWith(client.vectorStores.files.retrieve(file.id, { vector_store_id: first.id }), { status: 404 });
  assert.deepEqual((await client.vectorStores.retrieve(second.id)).file_counts.total, 0);
});

test('re-adding a file already in the store re-ingests it with the new settings', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const file = await uploadFile(client, 'twice.txt', 'Quasars are extremely luminous active galactic nuclei.');
  await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id, attributes: { version: 1 } });
  const second = await client.vectorStores.files.createAndPoll(store.id, {
    file_id: file.id,
    attributes: { version: 2 },
  });
  assert.deepEqual(second.attributes, { version: 2 });
  assert.equal((await client.vectorStores.retrieve(store.id)).file_counts.total, 1);
  const results = await client.vectorStores.search(store.id, { query: 'quasars luminous' });
  assert.equal(results.data.length, 1, 'the first ingestion left no duplicate chunks');
});

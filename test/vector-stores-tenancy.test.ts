import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { withBackendDb } from './helpers/backend-db.js';
import { sdkClient } from './helpers/client.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { uploadFile } from './helpers/vector-store-helpers.js';

const MAX_FILES = 10_000;

let fixture: RunFixture;
let alpha: OpenAI;
let beta: OpenAI;

before(async () => {
  fixture = await startRunFixture({ env: { API_KEYS: 'key-alpha=alpha,key-beta=beta', EMBEDDING_MODEL: 'none' } });
  alpha = sdkClient(fixture.server, 'key-alpha');
  beta = sdkClient(fixture.server, 'key-beta');
});

after(async () => {
  await fixture?.close();
});

test("another project's stores, files and batches are 404 and never listed", async () => {
  const file = await uploadFile(alpha, 'secret.txt', 'The launch code is marmalade.');
  const store = await alpha.vectorStores.create({ name: 'private' });
  const batch = await alpha.vectorStores.fileBatches.createAndPoll(store.id, { file_ids: [file.id] });

  await rejectsWith(beta.vectorStores.retrieve(store.id), { status: 404 });
  await rejectsWith(beta.vectorStores.update(store.id, { name: 'mine now' }), { status: 404 });
  await rejectsWith(beta.vectorStores.delete(store.id), { status: 404 });
  await rejectsWith(beta.vectorStores.search(store.id, { query: 'launch code' }), { status: 404 });
  await rejectsWith(beta.vectorStores.files.list(store.id), { status: 404 });
  await rejectsWith(beta.vectorStores.files.retrieve(file.id, { vector_store_id: store.id }), { status: 404 });
  await rejectsWith(beta.vectorStores.files.content(file.id, { vector_store_id: store.id }), { status: 404 });
  await rejectsWith(beta.vectorStores.files.update(file.id, { vector_store_id: store.id, attributes: { x: 1 } }), {
    status: 404,
  });
  await rejectsWith(beta.vectorStores.files.delete(file.id, { vector_store_id: store.id }), { status: 404 });
  await rejectsWith(beta.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id }), { status: 404 });
  await rejectsWith(beta.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id }), { status: 404 });
  await rejectsWith(beta.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id }), { status: 404 });
  assert.ok(!(await beta.vectorStores.list({ limit: 100 })).data.some((listed) => listed.id === store.id));

  // Nor can another project put alpha's file into its own store.
  const betaStore = await beta.vectorStores.create({});
  await rejectsWith(beta.vectorStores.files.create(betaStore.id, { file_id: file.id }), {
    status: 404,
    param: 'file_id',
  });
  await rejectsWith(beta.vectorStores.create({ file_ids: [file.id] }), { status: 404, param: 'file_ids' });
  await rejectsWith(beta.vectorStores.fileBatches.create(betaStore.id, { file_ids: [file.id] }), { status: 404 });
  // Alpha still sees everything intact.
  assert.equal((await alpha.vectorStores.retrieve(store.id)).name, 'private');
  assert.equal((await alpha.vectorStores.search(store.id, { query: 'launch code' })).data[0]?.file_id, file.id);
});

test('a vector store holds at most 10,000 files', async () => {
  const store = await alpha.vectorStores.create({});
  // Uploading 10,000 files would take minutes: fill the store's rows directly, as completed files.
  const seeded = Array.from({ length: MAX_FILES - 1 }, (_, index) => {
    const id = `file-seeded${index}`;
    const data = {
      id,
      object: 'vector_store.file',
      usage_bytes: 0,
      created_at: 1,
      vector_store_id: store.id,
      status: 'completed',
      last_error: null,
    };
    return [id, store.id, JSON.stringify(data)];
  });
  await withBackendDb(fixture.server.dataDir, (db) =>
    db.transaction(async () => {
      // A thousand rows a statement: one round trip each on PostgreSQL, well under SQLite's limit of parameters.
      for (let start = 0; start < seeded.length; start += 1000) {
        const rows = seeded.slice(start, start + 1000);
        const inserted = await db.run(
          `INSERT INTO vector_store_files (id, project, vector_store_id, batch_id, status, usage_bytes, chunking, data)
           VALUES ${rows.map(() => `(?, 'alpha', ?, NULL, 'completed', 0, '{"maxChunkSizeTokens":800,"chunkOverlapTokens":400}', ?)`).join(', ')}`,
          rows.flat(),
        );
        assert.equal(inserted, rows.length);
      }
    }),
  );
  const last = await uploadFile(alpha, 'last.txt', 'The ten thousandth file.');
  const extra = await uploadFile(alpha, 'extra.txt', 'One too many.');
  const another = await uploadFile(alpha, 'another.txt', 'Two too many.');

  await rejectsWith(alpha.vectorStores.fileBatches.create(store.id, { file_ids: [last.id, extra.id] }), {
    status: 400,
    code: 'vector_store_file_limit',
    message: '10000',
  });
  const added = await alpha.vectorStores.files.createAndPoll(store.id, { file_id: last.id });
  assert.equal(added.status, 'completed');
  assert.equal((await alpha.vectorStores.retrieve(store.id)).file_counts.total, MAX_FILES);
  await rejectsWith(alpha.vectorStores.files.create(store.id, { file_id: extra.id }), {
    status: 400,
    param: 'file_id',
    code: 'vector_store_file_limit',
  });
  await rejectsWith(alpha.vectorStores.fileBatches.create(store.id, { file_ids: [another.id] }), {
    status: 400,
    code: 'vector_store_file_limit',
  });
  // Re-adding a file the store already holds takes no new place.
  assert.equal((await alpha.vectorStores.files.createAndPoll(store.id, { file_id: last.id })).status, 'completed');
  // Removing one makes room again.
  await alpha.vectorStores.files.delete('file-seeded0', { vector_store_id: store.id });
  assert.equal((await alpha.vectorStores.files.createAndPoll(store.id, { file_id: extra.id })).status, 'completed');
});

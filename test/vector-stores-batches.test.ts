import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { countChunks } from './helpers/backend-db.js';
import { sdkClient } from './helpers/client.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { removeDataDir, startTestServer } from './helpers/test-server.js';
import { searchFileIds, startGatedEmbeddings, uploadFile } from './helpers/vector-store-helpers.js';

const STATIC_100 = { type: 'static' as const, static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } };

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});

after(async () => {
  await fixture?.close();
});

test('uploadAndPoll uploads every file, batches them and waits for completion', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
    files: [
      await toFile(Buffer.from('Penguins huddle to survive Antarctic winters.'), 'penguins.txt'),
      await toFile(Buffer.from('Albatrosses glide for hours without flapping.'), 'albatross.md'),
    ],
  });
  assert.match(batch.id, /^vsfb_/);
  assert.equal(batch.object, 'vector_store.files_batch');
  assert.equal(batch.vector_store_id, store.id);
  assert.equal(batch.status, 'completed');
  assert.deepEqual(batch.file_counts, { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });
  const results = await client.vectorStores.search(store.id, { query: 'penguins antarctic' });
  assert.equal(results.data[0]?.filename, 'penguins.txt');
});

test('createAndPoll with files[] applies each file its own chunking and attributes, ignoring batch-wide ones', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const small = await uploadFile(client, 'small.txt', 'Tectonic plates drift a few centimetres a year.');
  const large = await uploadFile(client, 'large.txt', 'Earthquakes release stress along fault lines.');
  const broken = await uploadFile(client, 'broken.pdf', 'this is not a pdf at all');
  const batch = await client.vectorStores.fileBatches.createAndPoll(store.id, {
    files: [
      {
        file_id: small.id,
        attributes: { size: 'small' },
        chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } },
      },
      { file_id: large.id, attributes: { size: 'large' } },
      { file_id: broken.id },
    ],
    // The contract: with `files`, batch-wide attributes and chunking_strategy are ignored.
    attributes: { shared: 'ignored' },
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 4096, chunk_overlap_tokens: 0 } },
  });
  assert.equal(batch.status, 'completed');
  assert.deepEqual(batch.file_counts, { in_progress: 0, completed: 2, failed: 1, cancelled: 0, total: 3 });

  const retrieved = await client.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id });
  assert.deepEqual(retrieved, batch);
  const smallFile = await client.vectorStores.files.retrieve(small.id, { vector_store_id: store.id });
  assert.deepEqual(smallFile.attributes, { size: 'small' });
  assert.deepEqual(smallFile.chunking_strategy, {
    type: 'static',
    static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 },
  });
  const largeFile = await client.vectorStores.files.retrieve(large.id, { vector_store_id: store.id });
  assert.deepEqual(largeFile.chunking_strategy, {
    type: 'static',
    static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
  });

  const failed = await client.vectorStores.fileBatches.listFiles(batch.id, {
    vector_store_id: store.id,
    filter: 'failed',
  });
  assert.deepEqual(
    failed.data.map((file) => file.id),
    [broken.id],
  );
  assert.deepEqual(failed.data[0]?.attributes, {});
  assert.equal(failed.data[0]?.last_error?.code, 'invalid_file');
  const completed = await client.vectorStores.fileBatches.listFiles(batch.id, {
    vector_store_id: store.id,
    filter: 'completed',
  });
  assert.deepEqual(new Set(completed.data.map((file) => file.id)), new Set([small.id, large.id]));
  const all = await client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id, limit: 2 });
  assert.equal(all.data.length, 2);
  assert.equal(all.has_more, true);
});

test('file_ids with shared attributes and chunking; the batch lists only its own files', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const outside = await uploadFile(client, 'outside.txt', 'Not part of the batch.');
  await client.vectorStores.files.createAndPoll(store.id, { file_id: outside.id });
  const one = await uploadFile(client, 'one.txt', 'First batch file about comets.');
  const two = await uploadFile(client, 'two.txt', 'Second batch file about asteroids.');
  const batch = await client.vectorStores.fileBatches.createAndPoll(store.id, {
    file_ids: [one.id, two.id],
    attributes: { source: 'batch' },
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 300, chunk_overlap_tokens: 100 } },
  });
  const listed = await client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id });
  assert.deepEqual(new Set(listed.data.map((file) => file.id)), new Set([one.id, two.id]));
  for (const file of listed.data) {
    assert.deepEqual(file.attributes, { source: 'batch' });
    assert.deepEqual(file.chunking_strategy, {
      type: 'static',
      static: { max_chunk_size_tokens: 300, chunk_overlap_tokens: 100 },
    });
  }
  assert.equal((await client.vectorStores.retrieve(store.id)).file_counts.total, 3);
});

test('bad batches are 4xx: empty, both lists, unknown file, unknown store, unknown filter', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({});
  const file = await uploadFile(client, 'x.txt', 'x');
  await rejectsWith(client.vectorStores.fileBatches.create(store.id, { file_ids: [] }), { status: 400 });
  await rejectsWith(client.vectorStores.fileBatches.create(store.id, {} as { file_ids: string[] }), { status: 400 });
  await rejectsWith(
    client.vectorStores.fileBatches.create(store.id, { file_ids: [file.id], files: [{ file_id: file.id }] }),
    { status: 400, param: 'files' },
  );
  await rejectsWith(client.vectorStores.fileBatches.create(store.id, { file_ids: [file.id, 'file-nope'] }), {
    status: 404,
    message: 'file-nope',
  });
  await rejectsWith(client.vectorStores.fileBatches.create('vs_nope', { file_ids: [file.id] }), {
    status: 404,
    message: 'vs_nope',
  });
  const batch = await client.vectorStores.fileBatches.createAndPoll(store.id, { file_ids: [file.id] });
  await rejectsWith(
    client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id, filter: 'nope' as 'failed' }),
    {
      status: 400,
      param: 'filter',
    },
  );
  await rejectsWith(client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id }), {
    status: 400,
    message: 'completed',
  });
});

test('cancel stops a batch: files not yet ingested are cancelled and never searchable', {
  timeout: 60_000,
}, async () => {
  // Embeddings that wait for the test keep every claimed file in progress until the cancel is in.
  const gate = await startGatedEmbeddings();
  const server = await startTestServer({ env: { OPENAI_BASE_URL: gate.baseURL, OPENAI_API_KEY: 'gate-key' } });
  try {
    const client: OpenAI = sdkClient(server);
    const store = await client.vectorStores.create({});
    const ids: string[] = [];
    for (let index = 0; index < 5; index++)
      ids.push((await uploadFile(client, `doc-${index}.txt`, `Nebula number ${index} glows in hydrogen light.`)).id);
    const batch = await client.vectorStores.fileBatches.create(store.id, { file_ids: ids });
    assert.equal(batch.status, 'in_progress');
    assert.deepEqual(batch.file_counts, { in_progress: 5, completed: 0, failed: 0, cancelled: 0, total: 5 });
    await gate.waitForRequests(1);

    const cancelled = await client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id });
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(cancelled.file_counts, { in_progress: 0, completed: 0, failed: 0, cancelled: 5, total: 5 });
    gate.release();

    const listed = await client.vectorStores.fileBatches.listFiles(batch.id, {
      vector_store_id: store.id,
      filter: 'cancelled',
    });
    assert.deepEqual(new Set(listed.data.map((file) => file.id)), new Set(ids));
    // The SDK's poller stops on a cancelled batch.
    assert.equal((await client.vectorStores.fileBatches.poll(store.id, batch.id)).status, 'cancelled');
    assert.deepEqual(await searchFileIds(client, store.id, 'nebula hydrogen light'), []);
    const view = await client.vectorStores.retrieve(store.id);
    assert.equal(view.status, 'completed');
    assert.equal(view.usage_bytes, 0);
    await rejectsWith(client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id }), { status: 400 });

    // A graceful stop waits for the in-flight ingestions; what they wrote must be gone.
    await server.stop();
    assert.equal(await countChunks(server.dataDir, { vectorStoreId: store.id }), 0);
  } finally {
    await server.stop();
    await gate.close();
    removeDataDir(server);
  }
});

test('a file still being ingested is not searchable, even when its first chunks are already indexed', {
  timeout: 60_000,
}, async () => {
  // The second embedding batch of the large file is held: its first 64 chunks are in the index
  // while the file is still in progress. Query embeddings (one input) always pass.
  let largeBatches = 0;
  const gate = await startGatedEmbeddings((body) => body.input.length > 1 && ++largeBatches > 1);
  const server = await startTestServer({ env: { OPENAI_BASE_URL: gate.baseURL, OPENAI_API_KEY: 'gate-key' } });
  try {
    const client: OpenAI = sdkClient(server);
    const store = await client.vectorStores.create({});
    const small = await client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from('One sandpiper walked the shore.'), 'small.txt'),
    );
    assert.equal(small.status, 'completed');
    // Several 64 KB pieces, so ingestion writes (and embeds) the chunks in more than one batch.
    const paragraphs = Array.from(
      { length: 4000 },
      (_, index) => `Sandpiper sandpiper sandpiper flock ${index} feeds on the mudflats at low tide.`,
    );
    const large = await uploadFile(client, 'large.txt', paragraphs.join('\n\n'));
    await client.vectorStores.files.create(store.id, { file_id: large.id, chunking_strategy: STATIC_100 });
    await gate.waitForRequests(3);
    assert.equal(
      (await client.vectorStores.files.retrieve(large.id, { vector_store_id: store.id })).status,
      'in_progress',
    );

    for (const maxNumResults of [1, 10]) {
      const results = await client.vectorStores.search(store.id, {
        query: 'sandpiper',
        max_num_results: maxNumResults,
      });
      assert.deepEqual(
        results.data.map((result) => result.file_id),
        [small.id],
        `max_num_results ${maxNumResults}`,
      );
    }
    gate.release();
    assert.equal((await client.vectorStores.files.poll(store.id, large.id)).status, 'completed');
    assert.equal(
      (await client.vectorStores.search(store.id, { query: 'sandpiper', max_num_results: 1 })).data[0]?.file_id,
      large.id,
    );
  } finally {
    await server.stop();
    await gate.close();
    removeDataDir(server);
  }
});

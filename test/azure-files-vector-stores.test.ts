import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { azureClient } from './helpers/azure-client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import { uploadFile } from './helpers/vector-store-helpers.js';

/*
 * Files, Uploads and vector stores (files, batches, search) through the SDK's AzureOpenAI client, as an Azure
 * OpenAI user's code calls them; every JSON response is checked against the contract.
 */

let server: TestServer;
let client: OpenAI;

before(async () => {
  server = await startTestServer({ env: { EMBEDDING_MODEL: 'none' } });
  client = azureClient(server);
});
after(async () => {
  await server.stop();
  removeDataDir(server);
});

describe('files and uploads', () => {
  test('upload, retrieve, list by purpose, download the original bytes, delete', async () => {
    const text = '# Notes\nAzure users keep their files.';
    const file = await uploadFile(client, 'notes.md', text);
    assert.match(file.id, /^file-/);
    assert.deepEqual([file.filename, file.purpose, file.bytes], ['notes.md', 'assistants', Buffer.byteLength(text)]);
    assert.equal((await client.files.retrieve(file.id)).filename, 'notes.md');
    const listed = await client.files.list({ purpose: 'assistants' });
    assert.ok(listed.data.some((listedFile) => listedFile.id === file.id));
    const content = await client.files.content(file.id);
    assert.equal(await content.text(), text);
    assert.deepEqual(await client.files.delete(file.id), { id: file.id, object: 'file', deleted: true });
    await assert.rejects(client.files.retrieve(file.id), OpenAI.NotFoundError);
  });

  test('an Upload in parts completes into a File', async () => {
    const parts = [Buffer.from('first half, '), Buffer.from('second half')];
    const upload = await client.uploads.create({
      filename: 'halves.txt',
      purpose: 'assistants',
      bytes: parts[0]!.length + parts[1]!.length,
      mime_type: 'text/plain',
    });
    const partIds: string[] = [];
    for (const [index, part] of parts.entries()) {
      partIds.push((await client.uploads.parts.create(upload.id, { data: await toFile(part, `part-${index}`) })).id);
    }
    const completed = await client.uploads.complete(upload.id, { part_ids: partIds });
    assert.equal(completed.status, 'completed');
    assert.equal(await (await client.files.content(completed.file!.id)).text(), 'first half, second half');
    const cancelled = await client.uploads.cancel(
      (await client.uploads.create({ filename: 'x.txt', purpose: 'assistants', bytes: 1, mime_type: 'text/plain' })).id,
    );
    assert.equal(cancelled.status, 'cancelled');
  });
});

describe('vector stores', () => {
  test('create with files, attach and read a file, search, update, delete', async () => {
    const reef = await uploadFile(client, 'reef.txt', 'Coral reefs bleach when the ocean warms.');
    const store = await client.vectorStores.create({
      name: 'Oceans',
      file_ids: [reef.id],
      metadata: { owner: 'azure' },
      expires_after: { anchor: 'last_active_at', days: 7 },
    });
    assert.match(store.id, /^vs_/);
    const kelp = await uploadFile(client, 'kelp.txt', 'Kelp forests grow in cold, nutrient-rich water.');
    const attached = await client.vectorStores.files.createAndPoll(store.id, {
      file_id: kelp.id,
      attributes: { topic: 'kelp' },
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 } },
    });
    assert.equal(attached.status, 'completed');
    const retrieved = await client.vectorStores.files.retrieve(kelp.id, { vector_store_id: store.id });
    assert.deepEqual(retrieved.attributes, { topic: 'kelp' });
    const content = await client.vectorStores.files.content(kelp.id, { vector_store_id: store.id });
    assert.match(content.data.map((part) => part.text).join(''), /Kelp forests/);

    const ready = await client.vectorStores.retrieve(store.id);
    assert.equal(ready.file_counts.completed + ready.file_counts.in_progress, 2);
    const results = await client.vectorStores.search(store.id, { query: 'coral bleaching', max_num_results: 5 });
    assert.equal(results.data[0]?.file_id, reef.id);
    const filtered = await client.vectorStores.search(store.id, {
      query: 'forests',
      filters: { type: 'eq', key: 'topic', value: 'kelp' },
    });
    assert.deepEqual(
      filtered.data.map((result) => result.filename),
      ['kelp.txt'],
    );

    const files = await client.vectorStores.files.list(store.id, { filter: 'completed' });
    assert.ok(files.data.some((file) => file.id === kelp.id));
    assert.equal((await client.vectorStores.update(store.id, { name: 'Seas' })).name, 'Seas');
    assert.ok((await client.vectorStores.list()).data.some((listed) => listed.id === store.id));
    assert.equal((await client.vectorStores.files.delete(kelp.id, { vector_store_id: store.id })).deleted, true);
    assert.equal((await client.vectorStores.delete(store.id)).deleted, true);
  });

  test('file batches: uploadAndPoll, list their files, cancel a finished one is refused', async () => {
    const store = await client.vectorStores.create({ name: 'Batches' });
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
      files: [
        await toFile(Buffer.from('Alpha document about glaciers.'), 'alpha.txt'),
        await toFile(Buffer.from('Beta document about deserts.'), 'beta.txt'),
      ],
    });
    assert.equal(batch.status, 'completed');
    assert.deepEqual(batch.file_counts, { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });
    const fetched = await client.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id });
    assert.equal(fetched.id, batch.id);
    const listed = await client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id });
    assert.equal(listed.data.length, 2);
    await assert.rejects(
      client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id }),
      OpenAI.BadRequestError,
    );
    const results = await client.vectorStores.search(store.id, { query: 'glaciers' });
    assert.equal(results.data[0]?.filename, 'alpha.txt');
  });
});

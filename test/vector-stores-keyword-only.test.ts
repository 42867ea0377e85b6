import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { searchFileIds, uploadFile } from './helpers/vector-store-helpers.js';

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});

after(async () => {
  await fixture?.close();
});

test('EMBEDDING_MODEL=none: ingestion and search work on keywords alone, without calling the upstream', async () => {
  const { client, upstream } = fixture;
  const volcano = await uploadFile(
    client,
    'volcano.txt',
    'Stratovolcanoes erupt explosively because their magma is viscous.',
  );
  const reef = await uploadFile(client, 'reef.txt', 'Coral reefs are built by colonies of tiny polyps.');
  const store = await client.vectorStores.create({});
  await client.vectorStores.fileBatches.createAndPoll(store.id, {
    file_ids: [volcano.id, reef.id],
    attributes: { kind: 'nature' },
  });

  // Only matching chunks come back: there is no vector list to pad the results.
  assert.deepEqual(await searchFileIds(client, store.id, 'viscous magma'), [volcano.id]);
  assert.deepEqual(await searchFileIds(client, store.id, 'polyps'), [reef.id]);
  assert.deepEqual(await searchFileIds(client, store.id, 'photosynthesis'), []);
  // Stemming: "erupting" finds "erupt".
  assert.deepEqual(await searchFileIds(client, store.id, 'erupting volcanoes'), [volcano.id]);

  const page = await client.vectorStores.search(store.id, {
    query: ['magma', 'coral'],
    filters: { type: 'eq', key: 'kind', value: 'nature' },
  });
  assert.deepEqual(new Set(page.data.map((result) => result.file_id)), new Set([volcano.id, reef.id]));
  for (const result of page.data) assert.ok(result.score > 0 && result.score <= 1, `score ${result.score}`);
  assert.deepEqual(
    (
      await client.vectorStores.search(store.id, {
        query: 'magma',
        filters: { type: 'eq', key: 'kind', value: 'other' },
      })
    ).data,
    [],
  );

  assert.equal(upstream.requests.filter((request) => request.path === '/v1/embeddings').length, 0);
});

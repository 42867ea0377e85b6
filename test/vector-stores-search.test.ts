import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { uploadFile } from './helpers/vector-store-helpers.js';

type Filter = NonNullable<OpenAI.VectorStores.VectorStoreSearchParams['filters']>;

let fixture: RunFixture;
let storeId: string;
/** File id by name. */
const ids = new Map<string, string>();

const FILES: ReadonlyArray<{ name: string; text: string; attributes: Record<string, string | number | boolean> }> = [
  {
    name: 'alpha.txt',
    text: 'Annual report on solar panels and photovoltaic efficiency.',
    attributes: { team: 'energy', year: 2021, draft: false },
  },
  {
    name: 'beta.txt',
    text: 'Annual report on wind turbines and offshore farms.',
    attributes: { team: 'energy', year: 2023, draft: true },
  },
  {
    name: 'gamma.txt',
    text: 'Annual report on river pollution and water quality.',
    attributes: { team: 'water', year: 2022 },
  },
  {
    name: 'delta.txt',
    text: 'Annual report on groundwater and aquifer depletion.',
    attributes: { team: 'water', year: 2024, draft: false },
  },
  { name: 'epsilon.txt', text: 'Annual report on budget and staffing.', attributes: {} },
];

before(async () => {
  fixture = await startRunFixture();
  const { client } = fixture;
  const uploaded = await Promise.all(FILES.map((file) => uploadFile(client, file.name, file.text)));
  for (const [index, file] of uploaded.entries()) ids.set(FILES[index]!.name, file.id);
  const store = await client.vectorStores.create({ name: 'search' });
  storeId = store.id;
  await client.vectorStores.fileBatches.createAndPoll(store.id, {
    files: uploaded.map((file, index) => ({ file_id: file.id, attributes: FILES[index]!.attributes })),
  });
});

after(async () => {
  await fixture?.close();
});

/** The response body as the server sent it (the SDK's page object keeps only `object` and `data`). */
async function rawSearch(body: OpenAI.VectorStores.VectorStoreSearchParams): Promise<Record<string, unknown>> {
  return (await fixture.client.vectorStores.search(storeId, body).asResponse()).json() as Promise<
    Record<string, unknown>
  >;
}

async function namesFor(filters: Filter): Promise<string[]> {
  const page = await fixture.client.vectorStores.search(storeId, {
    query: 'annual report',
    filters,
    max_num_results: 50,
  });
  return page.data.map((result) => result.filename).sort();
}

test('results carry file id, filename, a 0..1 score, attributes and the chunk text', async () => {
  const page = await fixture.client.vectorStores.search(storeId, { query: 'wind turbines offshore' });
  const raw = await rawSearch({ query: 'wind turbines offshore' });
  assert.equal(raw.object, 'vector_store.search_results.page');
  assert.deepEqual(raw.search_query, ['wind turbines offshore']);
  assert.equal(raw.has_more, false);
  assert.equal(raw.next_page, null);
  const best = page.data[0]!;
  assert.equal(best.file_id, ids.get('beta.txt'));
  assert.equal(best.filename, 'beta.txt');
  assert.deepEqual(best.attributes, { team: 'energy', year: 2023, draft: true });
  assert.deepEqual(best.content, [{ type: 'text', text: FILES[1]!.text }]);
  for (const result of page.data) assert.ok(result.score >= 0 && result.score <= 1, `score ${result.score}`);
  const scores = page.data.map((result) => result.score);
  assert.deepEqual(
    scores,
    [...scores].sort((left, right) => right - left),
    'best first',
  );
});

test('an array of queries is echoed in search_query and each one finds its file', async () => {
  const page = (await rawSearch({ query: ['solar panels', 'aquifer depletion'], max_num_results: 2 })) as {
    search_query: string[];
    data: Array<{ filename: string }>;
  };
  assert.deepEqual(page.search_query, ['solar panels', 'aquifer depletion']);
  assert.deepEqual(page.data.map((result) => result.filename).sort(), ['alpha.txt', 'delta.txt']);
});

test('max_num_results caps results, defaults to 10 and must be 1..50', async () => {
  const { client } = fixture;
  assert.equal(
    (await client.vectorStores.search(storeId, { query: 'annual report', max_num_results: 1 })).data.length,
    1,
  );
  assert.equal(
    (await client.vectorStores.search(storeId, { query: 'annual report', max_num_results: 3 })).data.length,
    3,
  );
  assert.equal((await client.vectorStores.search(storeId, { query: 'annual report' })).data.length, FILES.length);
  await rejectsWith(client.vectorStores.search(storeId, { query: 'x', max_num_results: 0 }), {
    status: 400,
    message: /max_num_results/,
  });
  await rejectsWith(client.vectorStores.search(storeId, { query: 'x', max_num_results: 51 }), {
    status: 400,
    message: /max_num_results/,
  });
  await rejectsWith(client.vectorStores.search(storeId, { query: '   ' }), { status: 400, param: 'query' });
  await rejectsWith(client.vectorStores.search(storeId, { query: [] }), { status: 400 });
  await rejectsWith(client.vectorStores.search(storeId, {} as { query: string }), { status: 400 });
});

test('equality, inequality and set filters', async () => {
  assert.deepEqual(await namesFor({ type: 'eq', key: 'team', value: 'water' }), ['delta.txt', 'gamma.txt']);
  assert.deepEqual(await namesFor({ type: 'eq', key: 'draft', value: true }), ['beta.txt']);
  // A file without the attribute is "not equal" to any value.
  assert.deepEqual(await namesFor({ type: 'ne', key: 'team', value: 'energy' }), [
    'delta.txt',
    'epsilon.txt',
    'gamma.txt',
  ]);
  assert.deepEqual(await namesFor({ type: 'in', key: 'year', value: [2021, 2024] }), ['alpha.txt', 'delta.txt']);
  assert.deepEqual(await namesFor({ type: 'nin', key: 'team', value: ['energy', 'water'] }), ['epsilon.txt']);
  assert.deepEqual(await namesFor({ type: 'eq', key: 'missing', value: 'x' }), []);
});

test('range filters on numbers', async () => {
  assert.deepEqual(await namesFor({ type: 'gt', key: 'year', value: 2022 }), ['beta.txt', 'delta.txt']);
  assert.deepEqual(await namesFor({ type: 'gte', key: 'year', value: 2022 }), ['beta.txt', 'delta.txt', 'gamma.txt']);
  assert.deepEqual(await namesFor({ type: 'lt', key: 'year', value: 2022 }), ['alpha.txt']);
  assert.deepEqual(await namesFor({ type: 'lte', key: 'year', value: 2022 }), ['alpha.txt', 'gamma.txt']);
  // Comparing a number attribute with a string never matches.
  assert.deepEqual(await namesFor({ type: 'gt', key: 'year', value: '2000' }), []);
});

test('nested and/or filters', async () => {
  const energyBefore2023OrWater: Filter = {
    type: 'or',
    filters: [
      {
        type: 'and',
        filters: [
          { type: 'eq', key: 'team', value: 'energy' },
          { type: 'lt', key: 'year', value: 2023 },
        ],
      },
      { type: 'eq', key: 'team', value: 'water' },
    ],
  };
  assert.deepEqual(await namesFor(energyBefore2023OrWater), ['alpha.txt', 'delta.txt', 'gamma.txt']);
  const notDraftAndRecent: Filter = {
    type: 'and',
    filters: [
      { type: 'eq', key: 'draft', value: false },
      {
        type: 'or',
        filters: [
          { type: 'gte', key: 'year', value: 2024 },
          { type: 'eq', key: 'team', value: 'energy' },
        ],
      },
    ],
  };
  assert.deepEqual(await namesFor(notDraftAndRecent), ['alpha.txt', 'delta.txt']);
  await rejectsWith(
    fixture.client.vectorStores.search(storeId, {
      query: 'report',
      filters: { type: 'like', key: 'team', value: 'w' } as unknown as Filter,
    }),
    { status: 400 },
  );
});

test('score_threshold drops weaker results and must be within 0..1', async () => {
  const { client } = fixture;
  const all = await client.vectorStores.search(storeId, {
    query: 'river pollution water quality',
    max_num_results: 50,
  });
  const best = all.data[0]!;
  assert.equal(best.filename, 'gamma.txt');
  assert.ok(all.data.length > 1);
  const strict = await client.vectorStores.search(storeId, {
    query: 'river pollution water quality',
    max_num_results: 50,
    ranking_options: { score_threshold: best.score },
  });
  assert.ok(strict.data.length >= 1 && strict.data.length < all.data.length);
  for (const result of strict.data) assert.ok(result.score >= best.score);
  const none = await client.vectorStores.search(storeId, {
    query: 'river pollution',
    ranking_options: { score_threshold: 1 },
  });
  for (const result of none.data) assert.equal(result.score, 1);
  await rejectsWith(client.vectorStores.search(storeId, { query: 'x', ranking_options: { score_threshold: 1.5 } }), {
    status: 400,
  });
});

test('hybrid mode embeds chunks and queries through the upstream with the configured model and dimensions', async () => {
  const { client, upstream } = fixture;
  const embeddingCalls = () => upstream.requests.filter((request) => request.path === '/v1/embeddings');
  const before = embeddingCalls().length;
  assert.ok(before > 0, 'ingestion embedded the chunks');
  for (const call of embeddingCalls()) {
    const body = call.body as { model: string; dimensions: number; input: string[] };
    assert.equal(body.model, 'text-embedding-3-large');
    assert.equal(body.dimensions, 256);
  }
  const ingested = embeddingCalls().flatMap((call) => (call.body as { input: string[] }).input);
  for (const file of FILES) assert.ok(ingested.includes(file.text), `${file.name} was embedded`);

  await client.vectorStores.search(storeId, { query: ['groundwater levels', 'offshore farms'] });
  const queryCalls = embeddingCalls().slice(before);
  assert.equal(queryCalls.length, 1, 'both queries embedded in one call');
  assert.deepEqual((queryCalls[0]!.body as { input: string[] }).input, ['groundwater levels', 'offshore farms']);
  // A query with no keyword in the corpus still finds its nearest chunks by vector.
  const vectorOnly = await client.vectorStores.search(storeId, { query: 'photovoltaic' });
  assert.equal(vectorOnly.data[0]?.filename, 'alpha.txt');
});

test('searching touches the store: last_active_at moves forward', async () => {
  const { client } = fixture;
  const before = await client.vectorStores.retrieve(storeId);
  await client.vectorStores.search(storeId, { query: 'report' });
  const after = await client.vectorStores.retrieve(storeId);
  assert.ok(after.last_active_at! >= before.last_active_at!);
});

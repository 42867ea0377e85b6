import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type OpenAI from 'openai';
import { intactIndexFile, savedIndexFiles } from '../src/store/sqlite/ann-index-files.js';
import { sdkClient } from './helpers/client.js';
import { pollUntil } from './helpers/poll.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { SeededRandom } from './helpers/seeded-random.js';
import { testBackend } from './helpers/test-backend.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';

/*
 * Vector stores large enough for the approximate (HNSW) vector index, through the API: FILE_SEARCH_EXACT_MAX is
 * lowered from 20,000 to 20 chunk vectors, so a few files of short chunks are searched through it. The same data
 * searched with every distance computed (a restart with FILE_SEARCH_EXACT_MAX far above the store) is the
 * reference. On SQLite the index is saved under DATA_DIR; it is deleted, then damaged, while the server is stopped,
 * and must be rebuilt.
 */

const APPROXIMATE = { FILE_SEARCH_EXACT_MAX: '20' };
const EXACT = { FILE_SEARCH_EXACT_MAX: '100000000' };
const TOPICS = [
  'solar panels photovoltaic inverter sunlight efficiency rooftop',
  'wind turbines offshore blades rotor gearbox nacelle',
  'river pollution water quality nitrate runoff sediment',
  'groundwater aquifer depletion wells irrigation recharge',
  'budget staffing salaries hiring payroll overtime',
  'railway signalling tracks locomotives freight timetable',
];
/** The first is about the file deleted below; the others compare approximate with exact results after it. */
const QUERIES = [
  'photovoltaic rooftop inverter',
  'offshore rotor blades',
  'nitrate runoff in rivers',
  'aquifer recharge wells',
  'payroll and hiring',
  'freight timetable locomotives',
  'wind turbines and groundwater',
  'water budget',
];

let fixture: RunFixture | undefined;
const servers: TestServer[] = [];

after(async () => {
  for (const server of servers) await server.stop();
  await fixture?.close();
});

/** Words every topic's files share, so chunks of different topics are not all equally far from a query. */
const COMMON = 'report annual figures table region season survey estimate review target measured units'.split(' ');

/**
 * About 40 chunks of ~100 tokens per file, each sentence a random mix of the topic's words and common ones, in random
 * counts: no two chunks hold the same bag of words, so no two are exactly as far from a query (the exact search and
 * the graph would break such ties each its own way).
 */
function document(topic: string, seed: number): string {
  const random = new SeededRandom(seed);
  const words = topic.split(' ');
  const sentences: string[] = [];
  for (let index = 0; index < 160; index++) {
    const picked = Array.from({ length: random.integer(3, 8) }, () => random.pick(words));
    const common = Array.from({ length: random.integer(1, 4) }, () => random.pick(COMMON));
    sentences.push(`Section ${seed}-${index} ${picked.join(' ')} ${common.join(' ')} ${random.integer(0, 999)}.`);
  }
  return sentences.join(' ');
}

async function fillStore(client: OpenAI, name: string, seed: number): Promise<{ id: string; files: string[] }> {
  const store = await client.vectorStores.create({ name });
  const files: string[] = [];
  for (const [index, topic] of TOPICS.entries()) {
    const file = await uploadFile(client, `${name}-${index}.txt`, document(topic, seed + index));
    files.push(file.id);
  }
  await client.vectorStores.fileBatches.create(store.id, {
    file_ids: files,
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } },
  });
  await waitForStore(client, store.id);
  return { id: store.id, files };
}

type Results = Array<Array<{ file_id: string; score: number; text: string }>>;

async function searchAll(client: OpenAI, storeId: string): Promise<Results> {
  const results: Results = [];
  for (const query of QUERIES) {
    const page = await client.vectorStores.search(storeId, { query, max_num_results: 10 });
    results.push(page.data.map((hit) => ({ file_id: hit.file_id, score: hit.score, text: hit.content[0]!.text })));
  }
  return results;
}

/**
 * The same scores in the same order, and the same chunk at each place whose score is not tied with a neighbour's
 * (the two ways compute distances in float32 differently, so equal distances may come out in either order). The
 * first query is left out: after its file is deleted it matches nothing, and every chunk is about as far.
 */
function assertSameResults(actual: Results, expected: Results, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let index = 1; index < actual.length; index++) {
    const hits = actual[index]!;
    const reference = expected[index]!;
    const scores = (list: typeof hits) => list.map((hit) => hit.score.toFixed(4));
    assert.deepEqual(scores(hits), scores(reference), `${what}: scores for ${QUERIES[index]}`);
    hits.forEach((hit, position) => {
      const score = reference[position]!.score;
      const tied = [position - 1, position + 1].some(
        (other) => reference[other] !== undefined && Math.abs(reference[other].score - score) < 1e-4,
      );
      if (!tied) assert.equal(hit.text, reference[position]!.text, `${what}: place ${position} for ${QUERIES[index]}`);
    });
  }
}

function indexFolder(server: TestServer): string | undefined {
  if (testBackend() !== 'sqlite') return undefined;
  const [folder] = readdirSync(server.dataDir).filter((name) => name.startsWith('assistants.sqlite-hnsw-'));
  return folder === undefined ? undefined : path.join(server.dataDir, folder);
}

/**
 * On SQLite, waits until each store's index has been saved whole (so it was built: a store's index answers searches
 * from before its first save), and returns the saved files.
 */
async function waitForSavedIndex(server: TestServer, storeIds: readonly string[]): Promise<string[]> {
  if (testBackend() !== 'sqlite') return [];
  return pollUntil(
    async () => {
      const folder = indexFolder(server);
      if (!folder || !existsSync(folder)) return false;
      const files: string[] = [];
      for (const storeId of storeIds) {
        const [saved, ...more] = await savedIndexFiles(folder, storeId);
        if (!saved || more.length > 0 || !(await intactIndexFile(saved))) return false;
        files.push(saved.path);
      }
      return files;
    },
    {
      what: () => `the saved HNSW indexes of ${storeIds.join(', ')} under ${server.dataDir}`,
      timeoutMs: 60_000,
      intervalMs: 100,
    },
  );
}

async function restart(dataDir: string, env: Record<string, string>): Promise<OpenAI> {
  const server = await startTestServer({
    dataDir,
    env: { ...env, OPENAI_BASE_URL: upstreamUrl(), OPENAI_API_KEY: 'upstream-key' },
  });
  servers.push(server);
  return sdkClient(server);
}

function upstreamUrl(): string {
  return fixture!.upstream.baseURL;
}

test('large vector stores: approximate results equal exact ones, deletes and other stores never show, and a lost or damaged index is rebuilt', async () => {
  fixture = await startRunFixture({ env: APPROXIMATE });
  const { client, server } = fixture;
  const one = await fillStore(client, 'one', 1);
  const two = await fillStore(client, 'two', 100);
  await waitForSavedIndex(server, [one.id, two.id]);

  const approximate = await searchAll(client, one.id);
  // Tenancy: store one's search returns only its own files, though store two holds the same words.
  for (const hits of approximate) {
    assert.ok(hits.length > 0);
    for (const hit of hits) assert.ok(one.files.includes(hit.file_id), `${hit.file_id} is not in store one`);
  }

  // A deleted file's chunks are gone from the next search, even before the index has caught up.
  await client.vectorStores.files.delete(one.files[0]!, { vector_store_id: one.id });
  const afterDelete = await searchAll(client, one.id);
  for (const hits of afterDelete) for (const hit of hits) assert.notEqual(hit.file_id, one.files[0]);
  assert.ok(afterDelete[0]!.length > 0);
  await server.stop();

  // The reference: the same data, every distance computed.
  const exactClient = await restart(server.dataDir, EXACT);
  const exact = await searchAll(exactClient, one.id);
  assertSameResults(afterDelete, exact, 'approximate against exact');
  await servers.pop()!.stop();

  // The saved index deleted, then damaged, while the server is stopped: rebuilt from the vectors on start.
  if (testBackend() === 'sqlite') {
    const spoil: Array<[string, (file: string) => void]> = [
      ['deleted', (file) => rmSync(file)],
      ['damaged', (file) => writeFileSync(file, Buffer.alloc(64 * 1024, 0xab))],
    ];
    for (const [what, damage] of spoil) {
      const saved = readdirSync(indexFolder(server)!).filter((name) => name.endsWith('.hnsw'));
      assert.equal(saved.length, 2, `${what}: both stores' indexes saved before`);
      for (const name of saved) damage(path.join(indexFolder(server)!, name));
      const again = await restart(server.dataDir, APPROXIMATE);
      await waitForSavedIndex(servers.at(-1)!, [one.id, two.id]);
      assertSameResults(await searchAll(again, one.id), exact, `after the index was ${what}`);
      await servers.pop()!.stop();
    }
  } else {
    const again = await restart(server.dataDir, APPROXIMATE);
    assertSameResults(await searchAll(again, one.id), exact, 'after a restart');
  }

  // Store two, still whole, answers from its own files only.
  const last = await restart(server.dataDir, APPROXIMATE);
  for (const hits of await searchAll(last, two.id)) {
    for (const hit of hits) assert.ok(two.files.includes(hit.file_id));
  }
  removeDataDir(server);
});

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ChunkHit, IndexedChunk } from '../src/store/file-search-index.js';
import { SqliteFileSearchIndex } from '../src/store/sqlite/file-search-index.js';
import { SqliteDatabase } from '../src/store/sqlite/sqlite-database.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { SeededRandom } from './helpers/seeded-random.js';

/*
 * The approximate (HNSW) vector index of large vector stores on SQLite, tested on the store directly: a store counts
 * as large here from 200 vectors (production: 20,000), so a few thousand small clustered vectors go through the
 * index. The exact search (sqlite-vec's scan, `exactMax` infinite) over the same database is the reference.
 */

const DIMENSIONS = 32;
const EXACT_MAX = 200;
/** Filters allowing at most this many chunks read each one's distance (production: 2,000). */
const FILTERED_LOOKUP_MAX = 150;
const FILES_PER_STORE = 12;
const CHUNKS_PER_FILE = 100;
const directories: string[] = [];
const connections: SqliteDatabase[] = [];

after(() => {
  for (const db of connections) db.close();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

interface Opened {
  store: SqliteStore;
  plans: string[];
  directory: string;
  filename: string;
}

function open(directory?: string): Opened {
  const folder = directory ?? mkdtempSync(path.join(tmpdir(), 'sqlite-vector-index-'));
  if (!directory) directories.push(folder);
  const plans: string[] = [];
  const filename = path.join(folder, 'assistants.sqlite');
  const store = SqliteStore.open(filename, {
    vectorDimensions: DIMENSIONS,
    vectorIndex: {
      exactMax: EXACT_MAX,
      filteredLookupMax: FILTERED_LOOKUP_MAX,
      saveDelayMs: 20,
      observe: (plan) => plans.push(plan),
    },
  });
  return { store, plans, directory: folder, filename };
}

/** The same database through a connection of its own, searched by computing every distance (filtered or not). */
function exactIndexOf(opened: Opened): SqliteFileSearchIndex {
  const db = new SqliteDatabase(opened.filename);
  connections.push(db);
  return new SqliteFileSearchIndex(db, DIMENSIONS, undefined, {
    exactMax: Number.POSITIVE_INFINITY,
    filteredLookupMax: Number.POSITIVE_INFINITY,
  });
}

/** Vectors around 40 random centres, as embeddings of related texts cluster. */
class ClusteredVectors {
  readonly #random: SeededRandom;
  readonly #centres: number[][];

  constructor(seed: number) {
    this.#random = new SeededRandom(seed);
    this.#centres = Array.from({ length: 40 }, () => this.#normalised(this.#gaussian(1)));
  }

  near(centre?: readonly number[]): number[] {
    const base = centre ?? this.#random.pick(this.#centres);
    const noise = this.#gaussian(0.35);
    return this.#normalised(base.map((value, index) => value + noise[index]!));
  }

  #gaussian(scale: number): number[] {
    return Array.from({ length: DIMENSIONS }, () => {
      const u = Math.max(1e-9, this.#random.next());
      return scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.#random.next());
    });
  }

  #normalised(vector: number[]): number[] {
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  }
}

function chunks(count: number): IndexedChunk[] {
  return Array.from({ length: count }, (_, index) => ({ index, text: `chunk ${index}`, tokenCount: 2, terms: [] }));
}

/** Adds `files` files of 100 chunks to the store; returns each file's vectors. */
async function fill(
  index: SqliteFileSearchIndex,
  vectorStoreId: string,
  vectors: ClusteredVectors,
  files = FILES_PER_STORE,
  name = 'file',
): Promise<Map<string, number[][]>> {
  const byFile = new Map<string, number[][]>();
  for (let file = 0; file < files; file++) {
    const fileId = `${name}-${vectorStoreId}-${file}`;
    const embeddings = Array.from({ length: CHUNKS_PER_FILE }, () => vectors.near());
    await index.addChunks(vectorStoreId, fileId, chunks(CHUNKS_PER_FILE), [], embeddings);
    byFile.set(fileId, embeddings);
  }
  return byFile;
}

function ids(hits: readonly ChunkHit[]): number[] {
  return hits.map((hit) => hit.chunkId);
}

/** Share of the exact top 10 the index finds, over the queries. */
async function recallAt10(
  index: SqliteFileSearchIndex,
  exact: SqliteFileSearchIndex,
  vectorStoreIds: string[],
  queries: readonly number[][],
  fileIds?: ReadonlySet<string>,
): Promise<number> {
  let found = 0;
  let wanted = 0;
  for (const query of queries) {
    const search = { vectorStoreIds, limit: 10, ...(fileIds ? { fileIds } : {}) };
    const truth = new Set(ids(await exact.vectorSearch(query, search)));
    found += ids(await index.vectorSearch(query, search)).filter((id) => truth.has(id)).length;
    wanted += truth.size;
  }
  assert.ok(wanted > 0, 'the exact search found nothing to compare with');
  return found / wanted;
}

function savedFiles(opened: Opened): string[] {
  const folder = `${opened.filename}-hnsw-${DIMENSIONS}`;
  return readdirSync(folder).filter((name) => name.endsWith('.hnsw'));
}

test('a large store is searched through the approximate index, with the exact search’s results, and stores never see each other’s chunks', async () => {
  const opened = open();
  const { store, plans } = opened;
  const vectors = new ClusteredVectors(7);
  await fill(store.fileSearch, 'vs_a', vectors);
  const storeB = await fill(store.fileSearch, 'vs_b', vectors);
  await store.fileSearch.vectorIndexSettled();
  const exact = exactIndexOf(opened);
  const queries = Array.from({ length: 40 }, () => vectors.near());

  plans.length = 0;
  const recall = await recallAt10(store.fileSearch, exact, ['vs_a'], queries);
  assert.ok(plans.length > 0 && plans.every((plan) => plan === 'ann'), `plans: ${plans.join(', ')}`);
  assert.ok(recall >= 0.95, `recall@10 ${recall}`);
  const both = await recallAt10(store.fileSearch, exact, ['vs_a', 'vs_b'], queries);
  assert.ok(both >= 0.95, `recall@10 over two stores ${both}`);

  // A query equal to a vector of store B, searched in store A only, finds none of B's chunks, and B's own search
  // finds that chunk first with the exact score.
  const [firstFileOfB, vectorsOfB] = [...storeB][0]!;
  for (const hit of await store.fileSearch.vectorSearch(vectorsOfB[0]!, { vectorStoreIds: ['vs_a'], limit: 50 })) {
    assert.equal(hit.vectorStoreId, 'vs_a');
  }
  const [best] = await store.fileSearch.vectorSearch(vectorsOfB[0]!, { vectorStoreIds: ['vs_b'], limit: 5 });
  assert.equal(best?.fileId, firstFileOfB);
  assert.ok(Math.abs(best.score - 1) < 1e-4, `score ${best.score}`);

  // Attribute filters: many allowed chunks walk the graph with a filter (a widened one under a quarter of the
  // store), few read each chunk's distance; all correct.
  for (const files of [6, 2]) {
    const allowedFiles = new Set([...storeB.keys()].slice(0, files));
    plans.length = 0;
    const filtered = await recallAt10(store.fileSearch, exact, ['vs_b'], queries, allowedFiles);
    assert.ok(filtered >= 0.95, `filtered recall@10 ${filtered} with ${files} files allowed`);
    assert.ok(plans.length > 0 && plans.every((plan) => plan === 'ann'), `plans: ${plans.join(', ')}`);
  }
  const manyFiles = new Set([...storeB.keys()].slice(0, 6));
  plans.length = 0;
  await store.fileSearch.vectorSearch(queries[0]!, {
    vectorStoreIds: ['vs_b'],
    limit: 10,
    fileIds: new Set([firstFileOfB]),
  });
  assert.deepEqual(plans, ['exact']);
  for (const fileIds of [manyFiles, new Set([firstFileOfB])]) {
    const hits = await store.fileSearch.vectorSearch(queries[0]!, { vectorStoreIds: ['vs_b'], limit: 30, fileIds });
    assert.ok(hits.length > 0);
    for (const hit of hits) assert.ok(fileIds.has(hit.fileId), `${hit.fileId} is not allowed`);
  }
  await store.close();
});

test('deleted chunks are never returned, before and after the index has caught up, and a store emptied loses its index', async () => {
  const opened = open();
  const { store } = opened;
  const vectors = new ClusteredVectors(11);
  const files = await fill(store.fileSearch, 'vs_d', vectors);
  await store.fileSearch.vectorIndexSettled(true);
  assert.equal(savedFiles(opened).length, 1);
  const exact = exactIndexOf(opened);
  const [deletedFile, deletedVectors] = [...files][3]!;
  await store.fileSearch.deleteFile('vs_d', deletedFile);
  // At once (the worker may not have the delete yet) and once it has.
  for (const settle of [false, true]) {
    if (settle) await store.fileSearch.vectorIndexSettled();
    for (const vector of deletedVectors.slice(0, 20)) {
      const hits = await store.fileSearch.vectorSearch(vector, { vectorStoreIds: ['vs_d'], limit: 10 });
      assert.equal(hits.length, 10);
      assert.ok(hits.every((hit) => hit.fileId !== deletedFile));
    }
  }
  const queries = Array.from({ length: 30 }, () => vectors.near());
  assert.ok((await recallAt10(store.fileSearch, exact, ['vs_d'], queries)) >= 0.95);

  // New chunks may take the deleted ones' row ids: found with their own vectors.
  const added = await fill(store.fileSearch, 'vs_d', vectors, 1, 'added');
  const [addedFile, addedVectors] = [...added][0]!;
  await store.fileSearch.vectorIndexSettled();
  const [top] = await store.fileSearch.vectorSearch(addedVectors[5]!, { vectorStoreIds: ['vs_d'], limit: 1 });
  assert.equal(top?.fileId, addedFile);
  assert.equal(top.chunkIndex, 5);

  for (const fileId of [...files.keys(), addedFile]) await store.fileSearch.deleteFile('vs_d', fileId);
  assert.deepEqual(await store.fileSearch.vectorSearch(queries[0]!, { vectorStoreIds: ['vs_d'], limit: 10 }), []);
  await store.fileSearch.vectorIndexSettled(true);
  assert.deepEqual(savedFiles(opened), []);
  await store.close();
});

test('the saved index is rebuilt from the vector table when it is missing, damaged or older than the table', async () => {
  let opened = open();
  const vectors = new ClusteredVectors(23);
  await fill(opened.store.fileSearch, 'vs_r', vectors);
  await opened.store.fileSearch.vectorIndexSettled(true);
  const [older] = savedFiles(opened);
  assert.ok(older);
  const folder = `${opened.filename}-hnsw-${DIMENSIONS}`;
  const olderCopy = path.join(opened.directory, 'older.copy');
  copyFileSync(path.join(folder, older), olderCopy);
  // More vectors, committed and saved (close saves): then the older file is put back, as if the process had died
  // between the commit and the save.
  const late = await fill(opened.store.fileSearch, 'vs_r', vectors, 1, 'late');
  await opened.store.close();
  const queries = Array.from({ length: 30 }, () => vectors.near());
  const [lateFile, lateVectors] = [...late][0]!;

  const damage: Record<string, (file: string) => void> = {
    stale: (file) => {
      rmSync(file);
      copyFileSync(olderCopy, path.join(folder, older));
    },
    missing: (file) => rmSync(file),
    damaged: (file) => {
      const bytes = readFileSync(file);
      bytes.fill(0xff, 1000, 5000);
      writeFileSync(file, bytes);
    },
    truncated: (file) => writeFileSync(file, readFileSync(file).subarray(0, 4096)),
  };
  for (const [name, spoil] of Object.entries(damage)) {
    const [saved] = savedFiles(opened);
    assert.ok(saved, `${name}: a saved index before the restart`);
    spoil(path.join(folder, saved));
    opened = open(opened.directory);
    await opened.store.fileSearch.vectorIndexSettled(true);
    opened.plans.length = 0;
    const exact = exactIndexOf(opened);
    const recall = await recallAt10(opened.store.fileSearch, exact, ['vs_r'], queries);
    assert.ok(recall >= 0.95, `${name}: recall@10 ${recall}`);
    assert.ok(
      opened.plans.every((plan) => plan === 'ann'),
      `${name}: ${opened.plans.join(', ')}`,
    );
    const [top] = await opened.store.fileSearch.vectorSearch(lateVectors[0]!, { vectorStoreIds: ['vs_r'], limit: 1 });
    assert.equal(top?.fileId, lateFile, `${name}: the vectors committed last are found`);
    const rebuilt = savedFiles(opened);
    assert.equal(rebuilt.length, 1, `${name}: one saved index after the rebuild`);
    await opened.store.close();
  }
});

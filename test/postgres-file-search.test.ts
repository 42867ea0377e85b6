import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ChunkHit, FileSearchIndex, IndexedChunk } from '../src/store/file-search-index.js';
import { PgFileSearchIndex } from '../src/store/postgres/file-search-index.js';
import { migratePostgres } from '../src/store/postgres/migrations.js';
import { PgDatabase } from '../src/store/postgres/pg-database.js';
import { SqliteFileSearchIndex } from '../src/store/sqlite/file-search-index.js';
import { migrate } from '../src/store/sqlite/migrations.js';
import { SqliteDatabase } from '../src/store/sqlite/sqlite-database.js';
import { defaultAnalyzer } from '../src/tools/file-search/analyzer.js';
import { SeededRandom } from './helpers/seeded-random.js';

/*
 * The PostgreSQL dialect of the file_search index, tested directly against a database of its own on the cluster of
 * TEST_DATABASE_URL (created here, dropped at the end), and against the SQLite dialect as the reference ranking.
 * Without TEST_DATABASE_URL no test is defined: none can pass without PostgreSQL. Pass 1 of scripts/run-tests.mjs
 * (TEST_BACKEND=sqlite) leaves the file to pass 2, so it runs once per run of the suite.
 */
const DATABASE_URL = process.env.TEST_DATABASE_URL;
// `node --test` counts a file that defines no test as one passing test: say why nothing ran instead.
const notHere = !DATABASE_URL
  ? 'needs TEST_DATABASE_URL (PostgreSQL 15 with pgvector: `bash scripts/setup-postgres.sh` prints one)'
  : process.env.TEST_BACKEND === 'sqlite'
    ? 'runs in the PostgreSQL pass of scripts/run-tests.mjs'
    : undefined;

if (notHere !== undefined) {
  test('PostgreSQL file_search index', { skip: notHere }, () => {});
} else if (DATABASE_URL) {
  const adminUrl = DATABASE_URL;
  const databases: TestDatabase[] = [];
  const sqliteDirectory = mkdtempSync(path.join(tmpdir(), 'postgres-file-search-'));
  const sqliteDatabases: SqliteDatabase[] = [];
  after(async () => {
    for (const database of databases) await database.drop();
    for (const database of sqliteDatabases) database.close();
    rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  /** A fresh database, migrated; dropped when the file ends. */
  const freshDatabase = async (): Promise<PgDatabase> => {
    const database = await createDatabase(adminUrl);
    databases.push(database);
    const db = new PgDatabase(database.url, { maxConnections: 8 });
    database.pools.push(db);
    await migratePostgres(db);
    return db;
  };

  const sqliteIndex = (name: string): SqliteFileSearchIndex => {
    const db = new SqliteDatabase(path.join(sqliteDirectory, `${name}.sqlite`));
    migrate(db);
    sqliteDatabases.push(db);
    return new SqliteFileSearchIndex(db, undefined);
  };

  describe('PostgreSQL file_search: BM25 as on SQLite', () => {
    const corpus = syntheticCorpus(new SeededRandom(20_260_901), 160);
    const queries = syntheticQueries(new SeededRandom(77), corpus.vocabulary, 60);
    let postgres: PgFileSearchIndex;
    let sqlite: SqliteFileSearchIndex;
    const plans: string[] = [];
    let pruned: PgFileSearchIndex[];
    let unpruned: PgFileSearchIndex;

    before(async () => {
      const db = await freshDatabase();
      postgres = await PgFileSearchIndex.open(db, undefined);
      // The same index pruning hard (only the rarest term read in full), less hard, and not at all.
      pruned = await Promise.all(
        [1, 60, 250].map((essentialPostings) =>
          PgFileSearchIndex.open(db, undefined, {
            keywordPruning: {
              enabled: true,
              essentialPostings,
              probeCost: 0,
              maxProbed: 2_000,
              observe: (plan) => plans.push(plan),
            },
          }),
        ),
      );
      unpruned = await PgFileSearchIndex.open(db, undefined, {
        keywordPruning: { enabled: false, essentialPostings: 0, probeCost: 0, maxProbed: 0 },
      });
      sqlite = sqliteIndex('parity');
      for (const index of [postgres, sqlite] as FileSearchIndex[]) await addCorpus(index, 'vs_a', corpus.files);
    });

    test('every query ranks the same chunks in the same order with the same scores', async () => {
      let compared = 0;
      for (const terms of queries) {
        const search = { vectorStoreIds: ['vs_a'], limit: 1000 };
        const expected = await sqlite.keywordSearch(terms, search);
        const actual = await postgres.keywordSearch(terms, search);
        assertSameRanking(actual, expected, terms);
        compared += expected.length;
      }
      assert.ok(compared > 500, `the queries matched ${compared} chunks in all: too few to compare rankings`);
    });

    test('the top of a ranking is the top of the full ranking, scores in 0..1', async () => {
      for (const terms of queries.slice(0, 20)) {
        const full = await postgres.keywordSearch(terms, { vectorStoreIds: ['vs_a'], limit: 1000 });
        const top = await postgres.keywordSearch(terms, { vectorStoreIds: ['vs_a'], limit: 5 });
        assert.equal(top.length, Math.min(5, full.length));
        // Equal to rounding: a pruned search adds a chunk's term scores in another order.
        for (const [position, hit] of top.entries()) assert.ok(Math.abs(hit.score - full[position]!.score) < 1e-12);
        for (const hit of full) assert.ok(hit.score >= 0 && hit.score <= 1, `score ${hit.score}`);
      }
    });

    test('pruned searches give exactly the full ranking, and prove it on most queries', async () => {
      for (const terms of queries) {
        for (const limit of [1, 5, 20]) {
          const search = { vectorStoreIds: ['vs_a'], limit };
          const expected = await unpruned.keywordSearch(terms, search);
          for (const index of pruned) assertSameRanking(await index.keywordSearch(terms, search), expected, terms);
        }
      }
      assert.ok(plans.filter((plan) => plan === 'pruned').length > 100, `plans: ${countOf(plans)}`);
      assert.ok(plans.includes('fallback'), `plans: ${countOf(plans)}`);
    });

    test('after deletes, rankings equal those of an index that never had the deleted files', async () => {
      const deleted = corpus.files.filter((_, position) => position % 4 === 1);
      for (const file of deleted) await postgres.deleteFile('vs_a', file.fileId);
      const reference = sqliteIndex('after-deletes');
      await addCorpus(
        reference,
        'vs_a',
        corpus.files.filter((file) => !deleted.includes(file)),
      );
      for (const terms of queries) {
        const search = { vectorStoreIds: ['vs_a'], limit: 1000 };
        assertSameRanking(
          await postgres.keywordSearch(terms, search),
          await reference.keywordSearch(terms, search),
          terms,
        );
      }
      for (const file of deleted) await add(postgres, 'vs_a', file.fileId, file.title, file.texts);
    });

    test('a repeated query term weighs more, as in FTS5; stopword-only and unknown queries find nothing', async () => {
      const word = corpus.vocabulary[40]!;
      const other = corpus.vocabulary[7]!;
      const once = [...defaultAnalyzer.terms(`${word} ${other}`)];
      const twice = [...defaultAnalyzer.terms(`${word} ${word} ${other}`)];
      for (const terms of [once, twice]) {
        const search = { vectorStoreIds: ['vs_a'], limit: 50 };
        assertSameRanking(
          await postgres.keywordSearch(terms, search),
          await sqlite.keywordSearch(terms, search),
          terms,
        );
      }
      assert.deepEqual(await postgres.keywordSearch([], { vectorStoreIds: ['vs_a'], limit: 5 }), []);
      assert.deepEqual(await postgres.keywordSearch(['zzzunknown'], { vectorStoreIds: ['vs_a'], limit: 5 }), []);
      assert.deepEqual(await postgres.keywordSearch(once, { vectorStoreIds: ['vs_missing'], limit: 5 }), []);
      assert.deepEqual(await postgres.keywordSearch(once, { vectorStoreIds: ['vs_a'], limit: 0 }), []);
    });
  });

  describe('PostgreSQL file_search: titles, scopes, files and deletes', () => {
    let postgres: PgFileSearchIndex;
    let sqlite: SqliteFileSearchIndex;
    const both = (): FileSearchIndex[] => [postgres, sqlite];

    before(async () => {
      postgres = await PgFileSearchIndex.open(await freshDatabase(), undefined);
      sqlite = sqliteIndex('titles');
      for (const index of both()) {
        await add(index, 'vs_t', 'file-title', 'Quarterly revenue report.pdf', ['Numbers for the third period.']);
        await add(index, 'vs_t', 'file-body', 'notes.txt', ['The revenue grew in the third quarter.']);
        await add(index, 'vs_t', 'file-other', 'other.txt', ['Nothing related to money at all here.']);
      }
    });

    test('a file name matches on every chunk, weighted below body text, as on SQLite', async () => {
      const terms = defaultAnalyzer.terms('quarterly report');
      const hits = await postgres.keywordSearch(terms, { vectorStoreIds: ['vs_t'], limit: 10 });
      assert.deepEqual(
        hits.map((hit) => hit.fileId),
        ['file-title'],
      );
      const revenue = defaultAnalyzer.terms('revenue');
      const ranked = await postgres.keywordSearch(revenue, { vectorStoreIds: ['vs_t'], limit: 10 });
      // Once in the body beats once in the title (weights 1.2/0.9 against 0.5), at similar lengths.
      assert.deepEqual(
        ranked.map((hit) => hit.fileId),
        ['file-body', 'file-title'],
      );
      assertSameRanking(ranked, await sqlite.keywordSearch(revenue, { vectorStoreIds: ['vs_t'], limit: 10 }), revenue);
    });

    test('a search sees only its stores, and only the given files', async () => {
      for (const index of both()) {
        await add(index, 'vs_u', 'file-elsewhere', 'revenue.txt', ['Revenue revenue revenue everywhere.']);
      }
      const terms = defaultAnalyzer.terms('revenue');
      const only = await postgres.keywordSearch(terms, { vectorStoreIds: ['vs_t'], limit: 10 });
      assert.ok(only.every((hit) => hit.vectorStoreId === 'vs_t'));
      const all = await postgres.keywordSearch(terms, { vectorStoreIds: ['vs_t', 'vs_u'], limit: 10 });
      assert.deepEqual(new Set(all.map((hit) => hit.vectorStoreId)), new Set(['vs_t', 'vs_u']));
      const filtered = await postgres.keywordSearch(terms, {
        vectorStoreIds: ['vs_t', 'vs_u'],
        limit: 10,
        fileIds: new Set(['file-title', 'file-elsewhere']),
      });
      assert.deepEqual(new Set(filtered.map((hit) => hit.fileId)), new Set(['file-title', 'file-elsewhere']));
      const none = await postgres.keywordSearch(terms, { vectorStoreIds: ['vs_t'], limit: 10, fileIds: new Set() });
      assert.deepEqual(none, []);
    });

    test('deleting a file removes its chunks, and the statistics of a store left empty', async () => {
      await postgres.deleteFile('vs_u', 'file-elsewhere');
      await postgres.deleteFile('vs_t', 'file-body');
      const terms = defaultAnalyzer.terms('revenue third quarter');
      const hits = await postgres.keywordSearch(terms, { vectorStoreIds: ['vs_t', 'vs_u'], limit: 10 });
      assert.deepEqual(
        hits.map((hit) => hit.fileId),
        ['file-title'],
      );
      await postgres.deleteFile('vs_t', 'file-never-added');
      const db = (postgres as unknown as { db: PgDatabase }).db;
      const scope = await db.get<{ chunk_count: number; total_length: number }>(
        "SELECT chunk_count, total_length FROM file_search_scopes WHERE vector_store_id = 'vs_u'",
      );
      assert.deepEqual(scope, { chunk_count: 0, total_length: 0 });
      const leftover = await db.get<{ count: number }>(
        `SELECT (SELECT count(*) FROM file_search_terms t JOIN file_search_scopes s USING (scope_id)
                  WHERE s.vector_store_id = 'vs_u')
              + (SELECT count(*) FROM file_search_postings p JOIN file_search_scopes s USING (scope_id)
                  WHERE s.vector_store_id = 'vs_u') AS count`,
      );
      assert.equal(leftover?.count, 0);
    });

    test('long terms and NUL characters are stored and found', async () => {
      const long = 'x'.repeat(5_000);
      await add(postgres, 'vs_t', 'file-long', 'long.txt', [`before ${long} after\u0000end`]);
      const hits = await postgres.keywordSearch([long], { vectorStoreIds: ['vs_t'], limit: 5 });
      assert.equal(hits.length, 1);
      assert.equal(hits[0]?.fileId, 'file-long');
      assert.equal(hits[0]?.text, `before ${long} after\uFFFDend`);
      assert.deepEqual(await postgres.keywordSearch(['x'.repeat(4_999)], { vectorStoreIds: ['vs_t'], limit: 5 }), []);
    });

    test('concurrent writers of one store neither deadlock nor lose counts', async () => {
      const db = (postgres as unknown as { db: PgDatabase }).db;
      const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
      const random = new SeededRandom(5);
      await Promise.all(
        Array.from({ length: 24 }, (_, file) =>
          add(postgres, 'vs_c', `file-c${file}`, `${random.pick(words)}.txt`, [
            random.sample(words, 4).join(' '),
            random.sample(words, 3).join(' '),
          ]),
        ),
      );
      await Promise.all(Array.from({ length: 12 }, (_, file) => postgres.deleteFile('vs_c', `file-c${file * 2}`)));
      const counts = await db.get<{ stored: number; actual: number; bad_terms: number }>(
        `SELECT s.chunk_count AS stored,
                (SELECT count(*) FROM file_search_chunks c WHERE c.scope_id = s.scope_id) AS actual,
                (SELECT count(*) FROM file_search_terms t WHERE t.scope_id = s.scope_id AND t.df <>
                   (SELECT count(*) FROM file_search_postings p WHERE p.scope_id = t.scope_id AND p.term = t.term))
                  AS bad_terms
           FROM file_search_scopes s WHERE s.vector_store_id = 'vs_c'`,
      );
      assert.deepEqual(counts, { stored: 24, actual: 24, bad_terms: 0 });
    });
  });

  describe('PostgreSQL file_search: vectors', () => {
    const dimensions = 8;
    let db: PgDatabase;
    let index: PgFileSearchIndex;
    const plans: string[] = [];
    let hnsw: PgFileSearchIndex;
    const random = new SeededRandom(99);
    const vectorsOf = new Map<string, number[]>();

    before(async () => {
      db = await freshDatabase();
      index = await PgFileSearchIndex.open(db, dimensions);
      // HNSW for every search, however few chunks or small a share of the table it allows.
      hnsw = await PgFileSearchIndex.open(db, dimensions, {
        vectorSearch: { exactMax: 0, filteredExactMax: 0, observe: (plan) => plans.push(plan) },
      });
      // A large store and a small one, so a search of the small one is a 5% filter on the HNSW graph.
      for (const [store, files] of [
        ['vs_big', 40],
        ['vs_small', 2],
      ] as const) {
        for (let file = 0; file < files; file++) {
          const texts = Array.from({ length: 10 }, (_, chunk) => `${store} file ${file} chunk ${chunk}`);
          const embeddings = texts.map(() => unitVector(random, dimensions));
          for (const [chunk, embedding] of embeddings.entries()) vectorsOf.set(`${store}/f${file}/${chunk}`, embedding);
          await add(index, store, `f${file}`, `f${file}.txt`, texts, embeddings);
        }
      }
      // The table's size, from which a search's share of it is known, as autovacuum would leave it.
      await db.run(`ANALYZE file_search_vectors_${dimensions}`);
    });

    const nearest = (query: number[], keys: (key: string) => boolean, limit: number): string[] =>
      [...vectorsOf]
        .filter(([key]) => keys(key))
        .map(([key, vector]) => ({ key, distance: 1 - dot(query, vector) }))
        .sort((left, right) => left.distance - right.distance)
        .slice(0, limit)
        .map((entry) => entry.key);
    const keysOf = (hits: ChunkHit[]): string[] =>
      hits.map((hit) => `${hit.vectorStoreId}/${hit.fileId}/${hit.chunkIndex}`);

    test('nearest neighbours by cosine, scores 1 - d/2, exactly and through HNSW', async () => {
      for (let round = 0; round < 10; round++) {
        const query = unitVector(random, dimensions);
        const expected = nearest(query, (key) => key.startsWith('vs_big/'), 10);
        const exact = await index.vectorSearch(query, { vectorStoreIds: ['vs_big'], limit: 10 });
        assert.deepEqual(keysOf(exact), expected);
        const top = exact[0]!;
        const cosine = dot(query, vectorsOf.get(keysOf([top])[0]!)!);
        assert.ok(Math.abs(top.score - (1 - (1 - cosine) / 2)) < 1e-6, `score ${top.score} for cosine ${cosine}`);
        const approximate = await hnsw.vectorSearch(query, { vectorStoreIds: ['vs_big'], limit: 10 });
        assert.ok(overlap(keysOf(approximate), expected) >= 9, `${keysOf(approximate)} vs ${expected}`);
      }
      assert.ok(plans.length > 0 && plans.every((plan) => plan === 'hnsw'));
    });

    test('filters by store and file keep their recall on HNSW', async () => {
      for (let round = 0; round < 10; round++) {
        const query = unitVector(random, dimensions);
        const small = await hnsw.vectorSearch(query, { vectorStoreIds: ['vs_small'], limit: 5 });
        assert.deepEqual(
          keysOf(small),
          nearest(query, (key) => key.startsWith('vs_small/'), 5),
        );
        const files = new Set(['f3', 'f7']);
        const filtered = await hnsw.vectorSearch(query, { vectorStoreIds: ['vs_big'], limit: 5, fileIds: files });
        const expected = nearest(query, (key) => /^vs_big\/f(3|7)\//.test(key), 5);
        assert.deepEqual(keysOf(filtered), expected);
        const exact = await index.vectorSearch(query, { vectorStoreIds: ['vs_big'], limit: 5, fileIds: files });
        assert.deepEqual(keysOf(exact), expected);
      }
      assert.deepEqual(await index.vectorSearch(unitVector(random, dimensions), { vectorStoreIds: [], limit: 5 }), []);
    });

    test('a search allowing a small share of the table computes exact distances; most of it, walks HNSW', async () => {
      const chosen: string[] = [];
      const defaults = await PgFileSearchIndex.open(db, dimensions, {
        vectorSearch: { exactMax: 0, observe: (plan) => chosen.push(plan) },
      });
      const query = unitVector(random, dimensions);
      await defaults.vectorSearch(query, { vectorStoreIds: ['vs_small'], limit: 5 });
      await defaults.vectorSearch(query, { vectorStoreIds: ['vs_big'], limit: 5, fileIds: new Set(['f1']) });
      await defaults.vectorSearch(query, { vectorStoreIds: ['vs_big'], limit: 5 });
      assert.deepEqual(chosen, ['exact', 'exact', 'hnsw']);
    });

    test('deleting a file removes its vectors', async () => {
      await index.deleteFile('vs_small', 'f0');
      const hits = await hnsw.vectorSearch(unitVector(random, dimensions), { vectorStoreIds: ['vs_small'], limit: 50 });
      assert.equal(hits.length, 10);
      assert.ok(hits.every((hit) => hit.fileId === 'f1'));
      const left = await db.get<{ count: number }>(`SELECT count(*) AS count FROM file_search_vectors_${dimensions}`);
      assert.equal(left?.count, 410);
    });

    test('more than 2,000 dimensions are indexed as halfvec', async () => {
      const wide = await PgFileSearchIndex.open(db, 2_048, { vectorSearch: { exactMax: 0 } });
      const vectors = Array.from({ length: 30 }, () => unitVector(random, 2_048));
      await add(
        wide,
        'vs_wide',
        'f',
        'f.txt',
        vectors.map((_, chunk) => `chunk ${chunk}`),
        vectors,
      );
      const hits = await wide.vectorSearch(vectors[17]!, { vectorStoreIds: ['vs_wide'], limit: 3 });
      assert.equal(hits[0]?.chunkIndex, 17);
      assert.ok(hits[0]!.score > 0.999);
    });
  });

  describe('PostgreSQL file_search: missing vectors', () => {
    test('vectors enabled later: every chunk is missing, filled least-tried first, then searchable', async () => {
      const db = await freshDatabase();
      const keywordOnly = await PgFileSearchIndex.open(db, undefined);
      await add(keywordOnly, 'vs_m', 'f1', 'f1.txt', ['one', 'two', 'three']);
      assert.equal(await keywordOnly.countMissingVectors(), 0);
      assert.deepEqual(await keywordOnly.chunksMissingVectors(10), []);

      // Two processes enabling vectors at once: the table is created, and the chunks listed, once.
      const database = databases.at(-1)!;
      const other = new PgDatabase(database.url, { maxConnections: 2 });
      database.pools.push(other);
      const [index] = await Promise.all([PgFileSearchIndex.open(db, 4), PgFileSearchIndex.open(other, 4)]);
      assert.equal(await index.countMissingVectors(), 3);
      const missing = await index.chunksMissingVectors(10);
      assert.deepEqual(
        missing.map((chunk) => chunk.text),
        ['one', 'two', 'three'],
      );
      assert.ok(missing.every((chunk) => chunk.vectorStoreId === 'vs_m'));

      await index.deferVectors([missing[0]!.chunkId, missing[1]!.chunkId]);
      assert.deepEqual(
        (await index.chunksMissingVectors(10)).map((chunk) => chunk.text),
        ['three', 'one', 'two'],
      );
      // New chunks without vectors join the list; with vectors they do not.
      await add(index, 'vs_m', 'f2', 'f2.txt', ['four']);
      await add(index, 'vs_m', 'f3', 'f3.txt', ['five'], [[0, 0, 0, 1]]);
      assert.equal(await index.countMissingVectors(), 4);

      await index.addVectors([
        { chunkId: missing[2]!.chunkId, embedding: [1, 0, 0, 0] },
        { chunkId: missing[0]!.chunkId, embedding: [0, 1, 0, 0] },
      ]);
      assert.deepEqual(
        (await index.chunksMissingVectors(10)).map((chunk) => chunk.text),
        ['four', 'two'],
      );
      const hits = await index.vectorSearch([0.9, 0.1, 0, 0], { vectorStoreIds: ['vs_m'], limit: 10 });
      assert.deepEqual(
        hits.map((hit) => hit.text),
        ['three', 'one', 'five'],
      );

      // A chunk deleted meanwhile is skipped; one already filled is not overwritten.
      const four = (await index.chunksMissingVectors(10)).find((chunk) => chunk.text === 'four')!;
      await index.deleteFile('vs_m', 'f2');
      await index.addVectors([
        { chunkId: four.chunkId, embedding: [0, 0, 1, 0] },
        { chunkId: missing[2]!.chunkId, embedding: [0, 0, 0, 1] },
      ]);
      assert.equal(await index.countMissingVectors(), 1);
      const again = await index.vectorSearch([1, 0, 0, 0], { vectorStoreIds: ['vs_m'], limit: 1 });
      assert.equal(again[0]?.text, 'three');
      assert.equal(again[0]?.score, 1);
      // Reopening with the same size lists nothing anew.
      assert.equal(await (await PgFileSearchIndex.open(db, 4)).countMissingVectors(), 1);
    });
  });
}

interface TestDatabase {
  url: string;
  pools: PgDatabase[];
  drop(): Promise<void>;
}

/**
 * A database named like the test runner's (`asst_test_<runner pid>_…`), so a run killed before it dropped it has it
 * dropped by the next run of scripts/run-tests.mjs.
 */
async function createDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `asst_test_${process.env.TEST_RUN_ID || process.pid}_fsi_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pools: PgDatabase[] = [];
  return {
    url: url.toString(),
    pools,
    async drop() {
      for (const pool of pools) await pool.close();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function add(
  index: FileSearchIndex,
  vectorStoreId: string,
  fileId: string,
  filename: string,
  texts: readonly string[],
  embeddings?: number[][],
): Promise<void> {
  const chunks: IndexedChunk[] = texts.map((text, position) => ({
    index: position,
    text,
    tokenCount: text.length,
    terms: defaultAnalyzer.terms(text),
  }));
  await index.addChunks(vectorStoreId, fileId, chunks, defaultAnalyzer.terms(filename), embeddings);
}

interface SyntheticFile {
  fileId: string;
  title: string;
  texts: string[];
}

/** Files of one to three chunks of Zipf-distributed made-up words, with titles: lengths vary, so ties are rare. */
function syntheticCorpus(random: SeededRandom, files: number): { vocabulary: string[]; files: SyntheticFile[] } {
  const syllables = ['ka', 'to', 'ri', 'ne', 'lu', 'sa', 'mo', 'vi', 'de', 'pa', 'go', 'ti', 'sem', 'lor', 'ven'];
  const vocabulary = [
    ...new Set(
      Array.from({ length: 400 }, () => `${random.pick(syllables)}${random.pick(syllables)}${random.pick(syllables)}`),
    ),
  ];
  const word = (): string =>
    vocabulary[Math.min(vocabulary.length - 1, Math.floor(vocabulary.length ** random.next()) - 1)]!;
  const sentence = (words: number): string => Array.from({ length: words }, word).join(' ');
  return {
    vocabulary,
    files: Array.from({ length: files }, (_, file) => ({
      fileId: `file-${file}`,
      title: `${sentence(random.integer(1, 4))}.txt`,
      texts: Array.from({ length: random.integer(1, 3) }, () => sentence(random.integer(8, 120))),
    })),
  };
}

function syntheticQueries(random: SeededRandom, vocabulary: readonly string[], count: number): string[][] {
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: random.integer(1, 6) }, () => vocabulary[random.integer(0, 120)]!);
    if (random.next() < 0.2) words.push(words[0]!);
    return defaultAnalyzer.terms(words.join(' '));
  });
}

async function addCorpus(
  index: FileSearchIndex,
  vectorStoreId: string,
  files: readonly SyntheticFile[],
): Promise<void> {
  for (const file of files) await add(index, vectorStoreId, file.fileId, file.title, file.texts);
}

/**
 * Same chunks, same order, same scores (to rounding). Chunks with equal scores may come in either order: each run
 * of equal scores is compared as a set.
 */
function assertSameRanking(actual: readonly ChunkHit[], expected: readonly ChunkHit[], terms: readonly string[]): void {
  const label = `query [${terms.join(' ')}]`;
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} hits, expected ${expected.length}`);
  const key = (hit: ChunkHit): string => `${hit.vectorStoreId}/${hit.fileId}/${hit.chunkIndex}`;
  let start = 0;
  while (start < expected.length) {
    let end = start + 1;
    while (end < expected.length && Math.abs(expected[end]!.score - expected[start]!.score) < 1e-9) end++;
    for (let position = start; position < end; position++) {
      assert.ok(
        Math.abs(actual[position]!.score - expected[position]!.score) < 1e-9,
        `${label}: score ${actual[position]!.score} at ${position}, expected ${expected[position]!.score}`,
      );
    }
    assert.deepEqual(
      new Set(actual.slice(start, end).map(key)),
      new Set(expected.slice(start, end).map(key)),
      `${label}: positions ${start}..${end - 1}`,
    );
    start = end;
  }
  for (const hit of actual) {
    const text = expected.find((other) => key(other) === key(hit))?.text;
    assert.equal(hit.text, text);
  }
}

function unitVector(random: SeededRandom, dimensions: number): number[] {
  const vector = Array.from({ length: dimensions }, () => random.next() * 2 - 1);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function dot(left: readonly number[], right: readonly number[]): number {
  return left.reduce((sum, value, index) => sum + value * right[index]!, 0);
}

function overlap(left: readonly string[], right: readonly string[]): number {
  return left.filter((key) => right.includes(key)).length;
}

function countOf(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return JSON.stringify(Object.fromEntries(counts));
}

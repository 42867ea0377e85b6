import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ChunkHit, ChunkSearch } from '../src/store/file-search-index.js';
import { SqliteFileSearchIndex } from '../src/store/sqlite/file-search-index.js';
import { scopeToken } from '../src/store/sqlite/fts-query.js';
import { DEFAULT_KEYWORD_RANKING, searchKeywordChunks } from '../src/store/sqlite/keyword-index.js';
import { DEFAULT_KEYWORD_PRUNING, type KeywordPruning } from '../src/store/sqlite/keyword-search.js';
import { fts5Tokens } from '../src/store/sqlite/keyword-terms.js';
import { MIGRATIONS, migrate } from '../src/store/sqlite/migrations.js';
import { SqliteDatabase } from '../src/store/sqlite/sqlite-database.js';
import { SeededRandom } from './helpers/seeded-random.js';

/*
 * The SQLite keyword search's pruned plan (src/store/sqlite/keyword-search.ts) against FTS5 scoring every match (the
 * plan it replaced, kept as `exhaustive`), on a corpus where pruning happens: words drawn with Zipf's law, so
 * queries mix rare and common terms, in several stores, with files deleted. Results must be the same chunks in the
 * same order with the same scores (up to floating-point rounding).
 */

const directory = mkdtempSync(path.join(tmpdir(), 'sqlite-keyword-search-'));
const databases: SqliteDatabase[] = [];
after(() => {
  for (const db of databases) db.close();
  rmSync(directory, { recursive: true, force: true });
});

function openDatabase(name: string): SqliteDatabase {
  const db = new SqliteDatabase(path.join(directory, `${name}.sqlite`));
  databases.push(db);
  return db;
}

/** Made-up words drawn with Zipf's law from a seeded generator. */
class ZipfText {
  readonly words: string[];
  readonly #cumulative: number[];

  constructor(
    private readonly random: SeededRandom,
    size: number,
  ) {
    const syllables = ['ka', 'to', 'ri', 'ne', 'lu', 'sa', 'mo', 'vi', 'de', 'pa', 'go', 'ti', 'ra', 'sem'];
    const words = new Set<string>();
    while (words.size < size) {
      words.add(Array.from({ length: random.integer(2, 4) }, () => random.pick(syllables)).join(''));
    }
    this.words = [...words];
    let sum = 0;
    this.#cumulative = this.words.map((_, rank) => (sum += 1 / (rank + 1)));
    this.#cumulative = this.#cumulative.map((value) => value / sum);
  }

  word(): string {
    const target = this.random.next();
    const index = this.#cumulative.findIndex((value) => value >= target);
    return this.words[index < 0 ? this.words.length - 1 : index]!;
  }

  terms(count: number): string[] {
    return Array.from({ length: count }, () => this.word());
  }
}

interface Corpus {
  db: SqliteDatabase;
  index: SqliteFileSearchIndex;
  text: ZipfText;
  random: SeededRandom;
  /** File ids by store, of the files still indexed. */
  files: Map<string, string[]>;
}

async function buildCorpus(name: string, seed: number): Promise<Corpus> {
  const db = openDatabase(name);
  migrate(db);
  const index = new SqliteFileSearchIndex(db, undefined);
  const random = new SeededRandom(seed);
  const text = new ZipfText(random, 1_500);
  const files = new Map<string, string[]>();
  for (const [store, fileCount] of [
    ['vs_big', 120],
    ['vs_mid', 40],
    ['vs_small', 6],
  ] as const) {
    const ids: string[] = [];
    for (let file = 0; file < fileCount; file++) {
      const fileId = `file-${store}-${file}`;
      const chunks = Array.from({ length: random.integer(5, 25) }, (_, chunkIndex) => {
        // Lengths vary (short last chunks), so length normalization matters.
        const terms = text.terms(chunkIndex === 0 ? random.integer(3, 12) : random.integer(20, 60));
        return { index: chunkIndex, text: terms.join(' '), tokenCount: terms.length, terms };
      });
      await index.addChunks(store, fileId, chunks, text.terms(random.integer(0, 3)));
      ids.push(fileId);
    }
    files.set(store, ids);
  }
  // Deleted files leave FTS5 tombstones; their chunks must never come back.
  for (const store of ['vs_big', 'vs_mid']) {
    const ids = files.get(store)!;
    for (const fileId of random.sample(ids, 5)) {
      await index.deleteFile(store, fileId);
      ids.splice(ids.indexOf(fileId), 1);
    }
  }
  return { db, index, text, random, files };
}

/** Mid-frequency words with a few common ones, as users' questions mix them; sometimes a word twice. */
function queryTerms(corpus: Corpus): string[] {
  const { random, text } = corpus;
  const terms = Array.from({ length: random.integer(1, 6) }, () =>
    random.next() < 0.3
      ? text.words[random.integer(0, 30)]!
      : text.words[random.integer(30, Math.min(900, text.words.length - 1))]!,
  );
  if (random.next() < 0.15) terms.push(terms[0]!);
  return terms;
}

function assertSameRanking(actual: readonly ChunkHit[], expected: readonly ChunkHit[], context: string): void {
  assert.equal(actual.length, expected.length, `${context}: hit count`);
  for (const [position, hit] of actual.entries()) {
    const reference = expected[position]!;
    assert.ok(Math.abs(hit.score - reference.score) < 1e-9, `${context}: score at ${position}`);
    // A different chunk only where two chunks tie (the same score up to rounding).
    if (hit.chunkId !== reference.chunkId) {
      const tied = expected.find((other) => other.chunkId === hit.chunkId);
      assert.ok(tied && Math.abs(tied.score - hit.score) < 1e-9, `${context}: chunk at ${position}`);
    }
    assert.deepEqual(
      { store: hit.vectorStoreId, file: hit.fileId, index: hit.chunkIndex, text: hit.text },
      {
        store: expected.find((other) => other.chunkId === hit.chunkId)?.vectorStoreId,
        file: expected.find((other) => other.chunkId === hit.chunkId)?.fileId,
        index: expected.find((other) => other.chunkId === hit.chunkId)?.chunkIndex,
        text: expected.find((other) => other.chunkId === hit.chunkId)?.text,
      },
      `${context}: fields of chunk ${hit.chunkId}`,
    );
  }
}

type Plan = { plan: 'exhaustive' | 'pruned'; scoredTerms: number; terms: number };

function search(
  db: SqliteDatabase,
  terms: readonly string[],
  scope: ChunkSearch,
  plans?: Plan[],
  maxOutOfScope = DEFAULT_KEYWORD_PRUNING.maxOutOfScope,
): ChunkHit[] {
  const pruning: KeywordPruning = {
    enabled: true,
    // The corpus is small enough for FTS5 to answer every query itself: prune anyway.
    smallSearch: 0,
    maxOutOfScope,
    observe: (plan, scoredTerms, count) => plans?.push({ plan, scoredTerms, terms: count }),
  };
  return searchKeywordChunks(db, terms, scope, DEFAULT_KEYWORD_RANKING, pruning);
}

function exhaustive(db: SqliteDatabase, terms: readonly string[], scope: ChunkSearch): ChunkHit[] {
  return searchKeywordChunks(db, terms, scope, DEFAULT_KEYWORD_RANKING, { ...DEFAULT_KEYWORD_PRUNING, enabled: false });
}

describe('SQLite keyword search: pruned top k', () => {
  test('returns the chunks and scores FTS5 gives when it scores every match, and prunes', async () => {
    const corpus = await buildCorpus('exactness', 0x5eed);
    const plans: Plan[] = [];
    const scopes: Array<(random: SeededRandom) => ChunkSearch> = [
      () => ({ vectorStoreIds: ['vs_big'], limit: 10 }),
      () => ({ vectorStoreIds: ['vs_big'], limit: 50 }),
      () => ({ vectorStoreIds: ['vs_big', 'vs_mid'], limit: 20 }),
      () => ({ vectorStoreIds: ['vs_small'], limit: 5 }),
      () => ({ vectorStoreIds: ['vs_big'], limit: 1 }),
      (random) => ({
        vectorStoreIds: ['vs_big'],
        limit: 10,
        fileIds: new Set(random.sample(corpus.files.get('vs_big')!, 30)),
      }),
    ];
    for (let round = 0; round < 80; round++) {
      const terms = queryTerms(corpus);
      for (const [position, scope] of scopes.entries()) {
        const chunkSearch = scope(corpus.random);
        const context = `query ${JSON.stringify(terms)}, scope ${position}`;
        const expected = exhaustive(corpus.db, terms, chunkSearch);
        assertSameRanking(search(corpus.db, terms, chunkSearch, plans), expected, context);
        assert.ok(
          expected.every((hit) => corpus.files.get(hit.vectorStoreId)?.includes(hit.fileId)),
          `${context}: a deleted file's chunk or another store's`,
        );
      }
    }
    const pruned = plans.filter((plan) => plan.plan === 'pruned');
    assert.ok(pruned.length > plans.length / 2, `most searches pruned: ${pruned.length} of ${plans.length}`);
    assert.ok(
      pruned.filter((plan) => plan.terms > 1 && plan.scoredTerms < plan.terms).length > 20,
      'terms whose postings were never scored',
    );
    assert.ok(
      pruned.some((plan) => plan.terms > 1 && plan.scoredTerms === 0),
      'searches answered from the chunks sharing terms alone',
    );
  });

  test('a term FTS5 would read as several tokens, or shaped like a scope token, is left to FTS5', async () => {
    const corpus = await buildCorpus('fallback', 0xfa11);
    const common = corpus.text.words[3]!;
    const scope = { vectorStoreIds: ['vs_big', 'vs_mid'], limit: 10 };
    for (const odd of [`${common}-${corpus.text.words[4]}`, 'UPPER', scopeToken('store', 'vs_big')]) {
      const plans: Plan[] = [];
      const terms = [common, odd];
      assertSameRanking(search(corpus.db, terms, scope, plans), exhaustive(corpus.db, terms, scope), odd);
      assert.deepEqual(
        plans.map((plan) => plan.plan),
        ['exhaustive'],
      );
    }
    // A chunk whose title tokens are unknown (FTS5 counted others at insert) cannot be scored outside FTS5: a search
    // that must score it exactly (it holds two of the terms) is left to FTS5.
    const [chunk] = search(corpus.db, [common], scope);
    const pair = [...new Set(chunk!.text.split(' '))].slice(0, 2);
    corpus.db.run('UPDATE file_search_chunks SET keyword_title = NULL WHERE file_id = ?', chunk!.fileId);
    const plans: Plan[] = [];
    assertSameRanking(search(corpus.db, pair, scope, plans), exhaustive(corpus.db, pair, scope), 'title unknown');
    assert.deepEqual(
      plans.map((plan) => plan.plan),
      ['exhaustive'],
    );
    // Terms absent from the index, or nothing to search.
    assert.deepEqual(search(corpus.db, ['zzzunknown'], scope), []);
    assert.deepEqual(search(corpus.db, [], scope), []);
    assert.deepEqual(search(corpus.db, [common], { vectorStoreIds: [], limit: 10 }), []);
    assert.deepEqual(search(corpus.db, [common], { ...scope, fileIds: new Set() }), []);
    assert.deepEqual(search(corpus.db, [common], { ...scope, limit: 0 }), []);
  });

  test('a small store in a bigger table: past a few chunks of other stores met, FTS5 answers within the store', async () => {
    const corpus = await buildCorpus('small-store', 0x5a11);
    const scope = { vectorStoreIds: ['vs_small'], limit: 10 };
    let fellBack = 0;
    for (let round = 0; round < 30; round++) {
      const terms = queryTerms(corpus);
      const plans: Plan[] = [];
      const expected = exhaustive(corpus.db, terms, scope);
      assertSameRanking(search(corpus.db, terms, scope, plans, 3), expected, JSON.stringify(terms));
      assert.ok(expected.every((hit) => hit.vectorStoreId === 'vs_small'));
      if (plans[0]?.plan === 'exhaustive') fellBack++;
    }
    assert.ok(fellBack > 0, 'searches left to FTS5');
  });

  test('a write between two searches is seen by the next one (statistics are not stale)', async () => {
    const corpus = await buildCorpus('fresh', 0xf4e5);
    const rare = 'qqqrareword';
    const scope = { vectorStoreIds: ['vs_small'], limit: 5 };
    const common = corpus.text.words[0]!;
    const before = search(corpus.db, [common, rare], scope);
    await corpus.index.addChunks(
      'vs_small',
      'file-new',
      [{ index: 0, text: `${rare} ${rare}`, tokenCount: 2, terms: [rare, rare, common] }],
      [],
    );
    const afterWrite = search(corpus.db, [common, rare], scope);
    assert.notDeepEqual(afterWrite, before);
    assert.equal(afterWrite[0]?.fileId, 'file-new');
    assertSameRanking(afterWrite, exhaustive(corpus.db, [common, rare], scope), 'after the write');
    // Another connection's write is seen too (PRAGMA data_version).
    const other = new SqliteDatabase(path.join(directory, 'fresh.sqlite'));
    databases.push(other);
    await new SqliteFileSearchIndex(other, undefined).deleteFile('vs_small', 'file-new');
    assert.deepEqual(
      search(corpus.db, [common, rare], scope).map((hit) => hit.fileId),
      exhaustive(corpus.db, [common, rare], scope).map((hit) => hit.fileId),
    );
    assert.ok(search(corpus.db, [common, rare], scope).every((hit) => hit.fileId !== 'file-new'));
  });
});

describe('SQLite migration 8: title tokens for keyword search', () => {
  test('a database indexed before it gets every chunk its title tokens from the FTS5 index', async () => {
    const db = openDatabase('before-migration-8');
    // The schema as the previous release left it, and chunks written the way it wrote them.
    for (let version = 0; version < 7; version++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[version]!);
        db.pragma(`user_version = ${version + 1}`);
      });
    }
    const random = new SeededRandom(0x0d1d);
    const text = new ZipfText(random, 400);
    const written = new Map<number, { title: string[]; body: string[] }>();
    const writeOld = (store: string, fileId: string, title: string[], chunks: string[][]): void => {
      const scope = `${scopeToken('store', store)} ${scopeToken('file', fileId)}`;
      db.transaction(() => {
        for (const [index, terms] of chunks.entries()) {
          const result = db.run(
            `INSERT INTO file_search_chunks (vector_store_id, file_id, chunk_index, text, token_count)
             VALUES (?, ?, ?, ?, ?)`,
            store,
            fileId,
            index,
            terms.join(' '),
            terms.length,
          );
          const chunkId = Number(result.lastInsertRowid);
          db.run(
            'INSERT INTO file_search_chunks_fts (rowid, scope, title, body) VALUES (?, ?, ?, ?)',
            chunkId,
            scope,
            title.join(' '),
            terms.join(' '),
          );
          written.set(chunkId, { title, body: terms });
        }
      });
    };
    for (let file = 0; file < 30; file++) {
      const chunks = Array.from({ length: random.integer(1, 8) }, () => text.terms(random.integer(1, 40)));
      writeOld(file % 3 === 0 ? 'vs_other' : 'vs_main', `file-${file}`, text.terms(random.integer(0, 2)), chunks);
    }
    // Deleted the way the previous release deleted (FTS5 row, then chunk rows).
    db.transaction(() => {
      const ids = db.all<{ chunk_id: number }>("SELECT chunk_id FROM file_search_chunks WHERE file_id = 'file-4'");
      db.run(
        "DELETE FROM file_search_chunks_fts WHERE rowid IN (SELECT chunk_id FROM file_search_chunks WHERE file_id = 'file-4')",
      );
      db.run("DELETE FROM file_search_chunks WHERE file_id = 'file-4'");
      for (const { chunk_id } of ids) written.delete(chunk_id);
    });

    assert.deepEqual(migrate(db), { from: 7, to: MIGRATIONS.length });
    const rows = db.all<{ chunk_id: number; keyword_title: string }>(
      'SELECT chunk_id, keyword_title FROM file_search_chunks ORDER BY chunk_id',
    );
    assert.deepEqual(
      rows.map((row) => row.chunk_id),
      [...written.keys()].sort((left, right) => left - right),
    );
    const sorted = (tokens: readonly string[]): string[] => [...tokens].sort();
    for (const row of rows) {
      const chunk = written.get(row.chunk_id)!;
      assert.deepEqual(sorted(fts5Tokens(row.keyword_title)), sorted(chunk.title), `title of chunk ${row.chunk_id}`);
    }
    // Searches on the migrated database: pruned, and the same as FTS5 scoring every match.
    const plans: Plan[] = [];
    const corpus = { random, text } as Corpus;
    for (let round = 0; round < 40; round++) {
      const terms = queryTerms(corpus);
      const scope = { vectorStoreIds: ['vs_main'], limit: 3 };
      assertSameRanking(search(db, terms, scope, plans), exhaustive(db, terms, scope), JSON.stringify(terms));
    }
    assert.ok(
      plans.some((plan) => plan.plan === 'pruned'),
      'pruned searches on the migrated database',
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { SeededRandom } from './helpers/seeded-random.js';
import { uploadFile } from './helpers/vector-store-helpers.js';

/*
 * Keyword ranking through the API on a store where the SQLite search prunes (src/store/sqlite/keyword-search.ts):
 * many files sharing common words, a few holding rare ones. A top k must be the first k of a longer ranking with the
 * same scores (a pruned search that missed a chunk, or scored one differently, would break that), and the chunk
 * holding every rare word must come first.
 */

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});

after(async () => {
  await fixture?.close();
});

const COMMON = ['river', 'stone', 'market', 'garden', 'window', 'letter', 'summer', 'bridge'];

test('keyword search: each top k is the head of the longer ranking, with the same scores', async () => {
  const { client } = fixture;
  const random = new SeededRandom(0x7a11);
  const filler = (count: number): string => Array.from({ length: count }, () => random.pick(COMMON)).join(' ');
  const texts = new Map<string, string>();
  for (let file = 0; file < 40; file++) texts.set(`common-${file}.txt`, `${filler(random.integer(10, 60))}.`);
  // Rare words alone, repeated, together, in short and long chunks.
  texts.set('both.txt', `${filler(20)} zephyr ${filler(5)} quasar.`);
  texts.set('zephyr-often.txt', `zephyr ${filler(8)} zephyr zephyr ${filler(30)}.`);
  texts.set('zephyr-short.txt', 'zephyr river.');
  texts.set('quasar-long.txt', `${filler(70)} quasar ${filler(70)}.`);
  texts.set('quasar-title.txt', `${filler(15)}.`);
  const files = [];
  for (const [name, text] of texts) files.push(await uploadFile(client, name, text));
  const store = await client.vectorStores.create({});
  const batch = await client.vectorStores.fileBatches.createAndPoll(store.id, {
    file_ids: files.map((file) => file.id),
  });
  assert.equal(batch.file_counts.completed, files.length);
  const nameOf = new Map(files.map((file) => [file.id, file.filename]));

  for (const query of ['zephyr quasar river', 'quasar stone', 'zephyr market garden window', 'river river stone']) {
    const search = async (max: number) =>
      (await client.vectorStores.search(store.id, { query, max_num_results: max })).data.map((result) => ({
        file: nameOf.get(result.file_id),
        score: result.score,
      }));
    const full = await search(50);
    assert.ok(full.length > 5, `${query}: ${full.length} results`);
    for (const k of [1, 3, 5]) {
      const top = await search(k);
      assert.equal(top.length, k, `${query}: ${k} results`);
      for (const [position, result] of top.entries()) {
        const reference = full[position]!;
        assert.ok(Math.abs(result.score - reference.score) < 1e-9, `${query}: score at ${position} (k=${k})`);
        // The same file, unless two tie.
        if (result.file !== reference.file) {
          assert.ok(Math.abs(full.find((other) => other.file === result.file)!.score - result.score) < 1e-9);
        }
      }
    }
    if (query.startsWith('zephyr quasar')) assert.equal(full[0]!.file, 'both.txt');
  }
});

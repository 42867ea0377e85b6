import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { toFile } from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { testBackend } from './helpers/test-backend.js';
import { searchFileIds } from './helpers/vector-store-helpers.js';

const FILE_BYTES = 50 * 1024 * 1024;
/**
 * How much the server's peak memory may grow while it ingests 50 MB of text. On S3 (the PostgreSQL pass) the upload
 * itself keeps up to 4 parts of 8 MiB in flight plus the one filling, which the small warm-up file never allocated:
 * its budget is files-s3-large's. Reading the file whole into memory, as ingestion from S3 once did, measured +164 MB.
 */
const MAX_PEAK_GROWTH_BYTES = (testBackend() === 'postgres' ? 100 : 60) * 1024 * 1024;
/**
 * Without a cap V8 lets garbage pile up to ~150 MB before collecting (measured: peak growth 62 MB
 * after 25 MB ingested, then 140, 146, 146 MB after 50, 75, 100 MB), which says nothing about the
 * code. With a 128 MB old space, garbage is collected early, and an implementation that held the
 * file's text, tokens or chunks (several times 50 MB) would run out of heap instead of passing.
 */
const SERVER_NODE_OPTIONS = '--max-old-space-size=128';
const NEEDLE = 'The quetzalcoatlus needle sentence sits at the very end of the file.';

const WORDS = (
  'river mountain forest ocean desert valley glacier island canyon meadow storm thunder rain snow wind cloud sun moon ' +
  'star planet comet orbit gravity energy matter particle wave signal network system process method result analysis ' +
  'history culture language music painting theatre science biology chemistry physics geology ecology economy market'
).split(' ');

let fixture: RunFixture;
let workDir: string;

before(async () => {
  // Keyword-only: the point is the server's memory while extracting, chunking and indexing, not
  // 60,000 embedding round trips to the scripted upstream.
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none', NODE_OPTIONS: SERVER_NODE_OPTIONS } });
  workDir = mkdtempSync(path.join(tmpdir(), 'vector-stores-large-'));
});

after(async () => {
  await fixture?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Writes `totalBytes` of sentences made of common words, one 1 MB piece at a time, then the needle. */
async function writeTextFile(filePath: string, totalBytes: number): Promise<void> {
  let state = 0x2545f491;
  const nextWord = (): string => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return WORDS[(state >>> 0) % WORDS.length]!;
  };
  async function* pieces() {
    const budget = totalBytes - NEEDLE.length - 2;
    let written = 0;
    while (written < budget) {
      const lines: string[] = [];
      let size = 0;
      while (size < 1024 * 1024 && written + size < budget) {
        const sentence = `${Array.from({ length: 12 }, nextWord).join(' ')}.${size % 2000 < 80 ? '\n\n' : ' '}`;
        lines.push(sentence);
        size += sentence.length;
      }
      const piece = lines.join('');
      written += piece.length;
      yield piece;
    }
    yield `\n\n${NEEDLE}`;
  }
  await pipeline(pieces(), createWriteStream(filePath));
}

test('a 50 MB text file ingests with flat server memory and is searchable to its last line', {
  timeout: 600_000,
}, async () => {
  const { client, server } = fixture;
  const source = path.join(workDir, 'large.txt');
  await writeTextFile(source, FILE_BYTES);
  const size = statSync(source).size;
  assert.ok(size >= FILE_BYTES - 1024 * 1024);

  // Warm up every stage (upload, extraction, tokenizer, FTS5) on a small file, so the baseline
  // already includes what they cost at any size; what must not grow is per-byte.
  const store = await client.vectorStores.create({ name: 'large' });
  await client.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from('river mountain forest. '.repeat(50_000)), 'warm-up.txt'),
  );
  const peakBefore = server.peakRssBytes();

  const uploaded = await client.files.create({ file: createReadStream(source), purpose: 'assistants' });
  assert.equal(uploaded.bytes, size);
  const attached = await client.vectorStores.files.createAndPoll(
    store.id,
    { file_id: uploaded.id },
    { pollIntervalMs: 250 },
  );
  assert.equal(attached.status, 'completed', JSON.stringify(attached.last_error));
  assert.equal(attached.usage_bytes, size);

  const growth = server.peakRssBytes() - peakBefore;
  assert.ok(
    growth < MAX_PEAK_GROWTH_BYTES,
    `server peak RSS grew by ${(growth / 1024 / 1024).toFixed(1)} MB (from ${(peakBefore / 1024 / 1024).toFixed(1)} MB) ingesting ${(size / 1024 / 1024).toFixed(0)} MB`,
  );
  assert.deepEqual(await searchFileIds(client, store.id, 'quetzalcoatlus needle'), [uploaded.id]);
});

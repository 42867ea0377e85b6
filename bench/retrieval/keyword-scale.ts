import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { chunkText } from '../../src/tools/file-search/chunk.js';
import { createKeywordIndexSchema, indexChunks, searchKeyword } from '../../src/tools/file-search/keyword-index.js';
import { searchWithFeedback } from '../../src/tools/file-search/prf.js';
import { loadSciFact } from './scifact.js';

/** Copies of SciFact, one vector store each: 20 × 5,230 chunks ≈ 105k chunks. */
const COPIES = Number(process.env.KEYWORD_SCALE_COPIES ?? 20);
/** The API's default `max_num_results`. */
const LIMIT = 20;

/**
 * Search latency at about 100k chunks: the SciFact test queries against one store (the usual case:
 * an assistant has one vector store) and against all stores at once (the worst case for the
 * scope filter), with and without pseudo-relevance feedback.
 */
async function main(): Promise<void> {
  const data = await loadSciFact();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'keyword-scale-'));
  const db = new SqliteDatabase(path.join(directory, 'index.sqlite'));
  try {
    createKeywordIndexSchema(db);
    const chunked = data.corpus.map((document) => ({ id: document.id, title: document.title, chunks: chunkText(`${document.title}\n\n${document.text}`) }));
    const started = performance.now();
    let chunkCount = 0;
    for (let copy = 0; copy < COPIES; copy++) {
      for (const document of chunked) {
        indexChunks(db, `vs_${copy}`, `file-${document.id}`, document.chunks, { title: document.title });
        chunkCount += document.chunks.length;
      }
    }
    console.log(`indexed ${chunkCount} chunks in ${COPIES} stores in ${((performance.now() - started) / 1000).toFixed(1)} s (analyze + insert)`);
    const allStores = Array.from({ length: COPIES }, (_, copy) => `vs_${copy}`);
    const cases: Array<[string, (query: string) => unknown]> = [
      ['one store', (query) => searchKeyword(db, { vectorStoreIds: ['vs_7'], query, limit: LIMIT })],
      ['all stores', (query) => searchKeyword(db, { vectorStoreIds: allStores, query, limit: LIMIT })],
      ['one store + prf', (query) => searchWithFeedback(db, { vectorStoreIds: ['vs_7'], query, limit: LIMIT })],
    ];
    for (const [name, search] of cases) {
      const latencies = data.queries.map((query) => {
        const queryStarted = performance.now();
        search(query.text);
        return performance.now() - queryStarted;
      });
      latencies.sort((left, right) => left - right);
      const at = (fraction: number): string => (latencies[Math.floor(fraction * (latencies.length - 1))] ?? 0).toFixed(2);
      console.log(`  ${name.padEnd(16)} p50 ${at(0.5)} ms   p99 ${at(0.99)} ms   (${latencies.length} queries, limit ${LIMIT})`);
    }
  } finally {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();

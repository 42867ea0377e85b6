import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteFileSearchIndex } from '../../src/store/sqlite/file-search-index.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { defaultAnalyzer } from '../../src/tools/file-search/analyzer.js';
import { chunkText } from '../../src/tools/file-search/chunk.js';
import { loadSciFact } from './scifact.js';

/** Copies of SciFact, one vector store each: 20 × 5,230 chunks ≈ 105k chunks. */
const COPIES = Number(process.env.KEYWORD_SCALE_COPIES ?? 20);
/** The API's default `max_num_results`. */
const LIMIT = 20;

/**
 * Search latency at about 100k chunks: the SciFact test queries against one store (the usual case:
 * an assistant has one vector store) and against all stores at once (the worst case for the
 * scope filter).
 */
async function main(): Promise<void> {
  const data = await loadSciFact();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'keyword-scale-'));
  const db = new SqliteDatabase(path.join(directory, 'index.sqlite'));
  try {
    migrate(db);
    const index = new SqliteFileSearchIndex(db, undefined);
    const chunked = data.corpus.map((document) => ({
      id: document.id,
      title: document.title,
      chunks: chunkText(`${document.title}\n\n${document.text}`),
    }));
    const started = performance.now();
    let chunkCount = 0;
    for (let copy = 0; copy < COPIES; copy++) {
      for (const document of chunked) {
        // Analyzed per copy, as ingestion would, so the time is analyze + insert.
        const chunks = document.chunks.map((chunk) => ({ ...chunk, terms: defaultAnalyzer.terms(chunk.text) }));
        await index.addChunks(`vs_${copy}`, `file-${document.id}`, chunks, defaultAnalyzer.terms(document.title));
        chunkCount += document.chunks.length;
      }
    }
    console.log(
      `indexed ${chunkCount} chunks in ${COPIES} stores in ${((performance.now() - started) / 1000).toFixed(1)} s (analyze + insert)`,
    );
    const allStores = Array.from({ length: COPIES }, (_, copy) => `vs_${copy}`);
    const cases: Array<[string, string[]]> = [
      ['one store', ['vs_7']],
      ['all stores', allStores],
    ];
    for (const [name, vectorStoreIds] of cases) {
      const latencies: number[] = [];
      for (const query of data.queries) {
        const queryStarted = performance.now();
        await index.keywordSearch(defaultAnalyzer.terms(query.text), { vectorStoreIds, limit: LIMIT });
        latencies.push(performance.now() - queryStarted);
      }
      latencies.sort((left, right) => left - right);
      const at = (fraction: number): string =>
        (latencies[Math.floor(fraction * (latencies.length - 1))] ?? 0).toFixed(2);
      console.log(
        `  ${name.padEnd(16)} p50 ${at(0.5)} ms   p99 ${at(0.99)} ms   (${latencies.length} queries, limit ${LIMIT})`,
      );
    }
  } finally {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();

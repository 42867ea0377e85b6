import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteFileSearchIndex } from '../../src/store/sqlite/file-search-index.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { defaultAnalyzer } from '../../src/tools/file-search/analyzer.js';
import { chunkText } from '../../src/tools/file-search/chunk.js';
import { searchFiles } from '../../src/tools/file-search/search.js';
import { loadSciFact } from './scifact.js';
import { SyntheticText } from './synthetic-text.js';

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

/** The keyword goal of issue #12: p50 below this at 1M chunks in one store. */
const GOAL_MS = 10;
const SYNTHETIC_SIZES = (process.env.KEYWORD_SCALE_SIZES ?? '100000,1000000').split(',').map(Number);
const QUERIES = Number(process.env.KEYWORD_SCALE_QUERIES ?? 200);
const STORE_ID = 'vs_scale';

/**
 * search-scale.ts's corpus and queries with vectors off (`SEARCH_SCALE_VECTORS=0`): one store of synthetic chunks
 * (100 a file, 60 Zipf-drawn words each) at 100k and 1M chunks, four mid-frequency words a query, through the
 * production search path (`searchFiles`) at 10 and 50 results. Prints wall p50/p99 (the goal's figure), the
 * process's CPU time p50/p99 (what a loaded machine's wall time hides) and the load average.
 * `KEYWORD_SCALE_DB=/path/file.sqlite` keeps the index there and reuses it on the next run (build once, then
 * measure the query path as often as needed).
 */
async function synthetic(): Promise<void> {
  const kept = process.env.KEYWORD_SCALE_DB;
  const directory = kept ? undefined : mkdtempSync(path.join(os.tmpdir(), 'keyword-scale-'));
  const file = kept ?? path.join(directory!, 'index.sqlite');
  const reuse = kept !== undefined && existsSync(kept);
  const store = SqliteStore.open(file, {});
  try {
    const text = new SyntheticText(30_000, 0x1234567);
    const queries = Array.from({ length: QUERIES }, () => text.query());
    text.sibling(0xabcdef);
    let built = reuse ? Number(process.env.KEYWORD_SCALE_BUILT ?? SYNTHETIC_SIZES.at(-1)) : 0;
    if (!reuse) await createStore(store);
    let buildSeconds = 0;
    for (const size of SYNTHETIC_SIZES) {
      if (built > size) continue;
      const started = performance.now();
      while (built < size) {
        await addSyntheticFile(store, `file-${built / 100}`, text);
        built += 100;
      }
      buildSeconds += (performance.now() - started) / 1000;
      if (!reuse) {
        console.log(
          `${built.toLocaleString('en-US')} chunks: built at ${(built / buildSeconds).toFixed(0)} chunks/s (load ${loadAverage()})`,
        );
      }
      for (const limit of [10, 50]) {
        const times = await timeQueries(store, queries, limit);
        const goal =
          built >= 1_000_000 && limit === 10
            ? `  goal p50 < ${GOAL_MS} ms: ${times.wallP50 < GOAL_MS ? 'PASS' : 'MISS'}`
            : '';
        console.log(
          `  ${built.toLocaleString('en-US').padStart(9)} chunks, ${String(limit).padStart(2)} results: wall p50 ${times.wallP50.toFixed(2)} / p99 ${times.wallP99.toFixed(2)} ms, CPU p50 ${times.cpuP50.toFixed(2)} / p99 ${times.cpuP99.toFixed(2)} ms (load ${loadAverage()})${goal}`,
        );
      }
    }
  } finally {
    await store.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

async function timeQueries(
  store: SqliteStore,
  queries: readonly string[],
  limit: number,
): Promise<{ wallP50: number; wallP99: number; cpuP50: number; cpuP99: number }> {
  const search = (query: string) =>
    searchFiles(
      {
        index: store.fileSearch,
        vectorStores: store.vectorStores,
        embeddings: undefined,
        filenames: async (_project, fileIds) => new Map(fileIds.map((id) => [id, `${id}.txt`])),
      },
      { project: 'bench', vectorStoreIds: [STORE_ID], queries: [query], maxNumResults: limit },
    );
  for (const query of queries.slice(0, 10)) await search(query);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await search(query);
    const used = process.cpuUsage(cpuStarted);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  const at = (values: number[], fraction: number): number => {
    const sorted = [...values].sort((left, right) => left - right);
    return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
  };
  return { wallP50: at(wall, 0.5), wallP99: at(wall, 0.99), cpuP50: at(cpu, 0.5), cpuP99: at(cpu, 0.99) };
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

async function createStore(store: SqliteStore): Promise<void> {
  await store.vectorStores.insert(
    'bench',
    {
      id: STORE_ID,
      object: 'vector_store',
      created_at: 0,
      name: 'scale',
      last_active_at: 0,
      metadata: {},
      expires_at: null,
      expired: false,
    },
    [],
  );
}

async function addSyntheticFile(store: SqliteStore, fileId: string, text: SyntheticText): Promise<void> {
  const chunks = Array.from({ length: 100 }, (_, index) => {
    const chunk = text.chunk(60);
    return { index, text: chunk, tokenCount: 60, terms: defaultAnalyzer.terms(chunk) };
  });
  await store.fileSearch.addChunks(STORE_ID, fileId, chunks, defaultAnalyzer.terms(`${fileId}.txt`));
  await store.vectorStores.insertFiles([
    {
      project: 'bench',
      file: {
        id: fileId,
        object: 'vector_store.file',
        usage_bytes: 0,
        created_at: 0,
        vector_store_id: STORE_ID,
        status: 'completed',
        last_error: null,
        chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
        attributes: {},
      },
      batchId: null,
      chunking: { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 },
    },
  ]);
}

if (process.env.KEYWORD_SCALE_CORPUS === 'synthetic') await synthetic();
else await main();

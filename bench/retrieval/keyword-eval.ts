import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { FileSearchIndex } from '../../src/store/file-search-index.js';
import { PgFileSearchIndex } from '../../src/store/postgres/file-search-index.js';
import { migratePostgres } from '../../src/store/postgres/migrations.js';
import { PgDatabase } from '../../src/store/postgres/pg-database.js';
import { SqliteFileSearchIndex } from '../../src/store/sqlite/file-search-index.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { chunkText } from '../../src/tools/file-search/chunk.js';
import { describeSettings, type EvalSettings, readEvalSettings } from './eval-settings.js';
import { createBenchDatabase } from './postgres-bench.js';
import { loadSciFact, type RunEntry, type SciFact } from './scifact.js';

const VECTOR_STORE_ID = 'vs_scifact';
/** Anserini's regression numbers for BM25 flat on BEIR SciFact (see ir-data/SOURCE.md). */
const ANSERINI_FLAT = { ndcg10: 0.6789, recall100: 0.9253 };
/** Anserini retrieves 1,000 hits per query. */
const HITS_PER_QUERY = 1000;

/** `--backend=postgres` (the PostgreSQL dialect, in a database created on this server for the run) or sqlite. */
const DATABASE_URL = process.env.KEYWORD_EVAL_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;

/**
 * Indexes BEIR SciFact with our file_search stages (chunk → analyze → index), runs the 300 test
 * queries and scores them with the shared `eval.mjs`, beside Anserini's BM25 flat. The index is SQLite's FTS5 by
 * default, or the PostgreSQL dialect's with `--backend=postgres` (same BM25, so the same figures are expected).
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const backend = argv.find((argument) => argument.startsWith('--backend='))?.slice('--backend='.length) ?? 'sqlite';
  const settings = readEvalSettings(argv.filter((argument) => !argument.startsWith('--backend=')));
  const data = await loadSciFact();
  const { index, close } = await openIndex(backend, settings);
  try {
    const indexing = await indexCorpus(index, data, settings);
    const tokenizerCeiling = measureTokenizer(data);
    const { run, latencies } = await runQueries(index, data, settings);
    const result = data.evaluator.evaluate(data.qrels, run, { ndcgKs: [10], recallKs: [100] });
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    printReport(backend, settings, result.mean, indexing, tokenizerCeiling, latencies, result.numQueries);
  } finally {
    await close();
  }
}

async function openIndex(
  backend: string,
  settings: EvalSettings,
): Promise<{ index: FileSearchIndex; close(): Promise<void> }> {
  if (backend === 'postgres') {
    if (!DATABASE_URL) throw new Error('--backend=postgres needs KEYWORD_EVAL_DATABASE_URL or TEST_DATABASE_URL');
    const database = await createBenchDatabase(DATABASE_URL, 'keyword_eval');
    const db = new PgDatabase(database.url);
    await migratePostgres(db);
    const index = await PgFileSearchIndex.open(db, undefined, { keywordRanking: settings.ranking });
    return {
      index,
      close: async () => {
        await db.close();
        await database.drop();
      },
    };
  }
  if (backend !== 'sqlite') throw new Error(`--backend=${backend}: sqlite or postgres`);
  const directory = mkdtempSync(path.join(os.tmpdir(), 'keyword-eval-'));
  const db = new SqliteDatabase(path.join(directory, 'index.sqlite'));
  migrate(db);
  return {
    index: new SqliteFileSearchIndex(db, undefined, settings.ranking),
    close: async () => {
      db.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

interface Throughput {
  megabytes: number;
  seconds: number;
  chunks: number;
}

function documentText(document: { title: string; text: string }): string {
  return `${document.title}\n\n${document.text}`;
}

async function indexCorpus(index: FileSearchIndex, data: SciFact, settings: EvalSettings): Promise<Throughput> {
  let bytes = 0;
  let chunks = 0;
  const started = performance.now();
  for (const document of data.corpus) {
    const text = documentText(document);
    bytes += Buffer.byteLength(text);
    const documentChunks = chunkText(text).map((chunk) => ({ ...chunk, terms: settings.analyzer.terms(chunk.text) }));
    chunks += documentChunks.length;
    const title = settings.titleField === 'title' ? document.title : `${document.id}.txt`;
    await index.addChunks(VECTOR_STORE_ID, `file-${document.id}`, documentChunks, settings.analyzer.terms(title));
  }
  return { megabytes: bytes / 1e6, seconds: (performance.now() - started) / 1000, chunks };
}

/** gpt-tokenizer alone over the same text: chunking can never be faster than this. */
function measureTokenizer(data: SciFact): Throughput {
  let bytes = 0;
  const started = performance.now();
  for (const document of data.corpus) {
    const text = documentText(document);
    bytes += Buffer.byteLength(text);
    encode(text);
  }
  return { megabytes: bytes / 1e6, seconds: (performance.now() - started) / 1000, chunks: 0 };
}

async function runQueries(
  index: FileSearchIndex,
  data: SciFact,
  settings: EvalSettings,
): Promise<{ run: Map<string, RunEntry[]>; latencies: number[] }> {
  const run = new Map<string, RunEntry[]>();
  const latencies: number[] = [];
  const search = { vectorStoreIds: [VECTOR_STORE_ID], limit: HITS_PER_QUERY };
  for (const query of data.queries) {
    const started = performance.now();
    const hits = await index.keywordSearch(settings.analyzer.terms(query.text), search);
    latencies.push(performance.now() - started);
    // A long document may have several chunks; the document scores as its best chunk.
    const seen = new Set<string>();
    const entries: RunEntry[] = [];
    for (const hit of hits) {
      const docid = hit.fileId.slice('file-'.length);
      if (seen.has(docid)) continue;
      seen.add(docid);
      entries.push({ docid, rank: entries.length + 1, score: hit.score, order: entries.length });
    }
    run.set(query.id, entries);
  }
  return { run, latencies };
}

function printReport(
  backend: string,
  settings: EvalSettings,
  mean: Record<string, number>,
  indexing: Throughput,
  tokenizer: Throughput,
  latencies: number[],
  queries: number,
): void {
  const ndcg = mean.ndcg_cut_10 ?? 0;
  const recall = mean.recall_100 ?? 0;
  const indexRate = indexing.megabytes / indexing.seconds;
  const tokenizerRate = tokenizer.megabytes / tokenizer.seconds;
  const sorted = [...latencies].sort((left, right) => left - right);
  console.log(
    `BEIR SciFact test on ${backend} (${queries} queries, ${indexing.chunks} chunks) — ${describeSettings(settings)}`,
  );
  console.log(
    `  nDCG@10    ${ndcg.toFixed(4)}   Anserini BM25 flat ${ANSERINI_FLAT.ndcg10.toFixed(4)}   ratio ${(ndcg / ANSERINI_FLAT.ndcg10).toFixed(3)}`,
  );
  console.log(
    `  Recall@100 ${recall.toFixed(4)}   Anserini BM25 flat ${ANSERINI_FLAT.recall100.toFixed(4)}   ratio ${(recall / ANSERINI_FLAT.recall100).toFixed(3)}`,
  );
  console.log(
    `  indexing   ${indexRate.toFixed(2)} MB/s (chunk + analyze + insert)   gpt-tokenizer alone ${tokenizerRate.toFixed(2)} MB/s   ratio ${(indexRate / tokenizerRate).toFixed(3)}`,
  );
  console.log(
    `  search     p50 ${percentile(sorted, 0.5).toFixed(2)} ms   p99 ${percentile(sorted, 0.99).toFixed(2)} ms   (${HITS_PER_QUERY} hits per query)`,
  );
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

await main();

import { performance } from 'node:perf_hooks';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI, { toFile } from 'openai';
import { removeDataDir, startTestServer, type TestServer } from '../../test/helpers/test-server.js';
import { createBenchDatabase } from './postgres-bench.js';
import { type CorpusDocument, loadSciFact, type RunEntry, type SciFact } from './scifact.js';

/** Anserini's regression numbers for BM25 flat on BEIR SciFact (see ir-data/SOURCE.md). */
const ANSERINI_FLAT_NDCG10 = 0.6789;
/** The API's largest `max_num_results`: Recall is reported at this depth, not at 100. */
const MAX_NUM_RESULTS = 50;
/** The API's largest file batch. */
const BATCH_FILES = 2000;
const UPLOAD_CONCURRENCY = Number(process.env.API_EVAL_UPLOAD_CONCURRENCY ?? 8);

/** PostgreSQL beside SQLite when a server is given (a database is created on it for the run and dropped after). */
const DATABASE_URL = process.env.API_EVAL_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
const BACKENDS = (process.env.API_EVAL_BACKENDS ?? (DATABASE_URL ? 'sqlite,postgres' : 'sqlite')).split(',');
/** The bar for PostgreSQL: nDCG@10 within this of SQLite's through the same endpoint. */
const PARITY = 0.01;

/**
 * BEIR SciFact through the public API only, as a client would do it: the real server with
 * EMBEDDING_MODEL=none, one uploaded file per document, file batches, then
 * `POST /vector_stores/{id}/search` for each of the 300 test queries, scored with the shared
 * `eval.mjs`. Prints nDCG@10 beside Anserini BM25 flat, Recall@50, ingestion MB/s beside
 * gpt-tokenizer's own MB/s on the same text in the same run, and search latency — per backend (the server on
 * SQLite, and on PostgreSQL when a database server is given), then the two nDCG@10 side by side.
 */
async function main(): Promise<void> {
  const data = await loadSciFact();
  const tokenizer = measureTokenizer(data.corpus);
  const ndcgs = new Map<string, number>();
  for (const backend of BACKENDS) {
    if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`unknown backend ${backend}`);
    if (backend === 'postgres' && !DATABASE_URL)
      throw new Error('postgres needs API_EVAL_DATABASE_URL or TEST_DATABASE_URL');
    const database = backend === 'postgres' ? await createBenchDatabase(DATABASE_URL!, 'api_eval') : undefined;
    try {
      const env: Record<string, string> = {
        EMBEDDING_MODEL: 'none',
        ...(database ? { DATABASE_URL: database.url } : {}),
      };
      ndcgs.set(backend, await evaluateServer(backend, env, data, tokenizer));
    } finally {
      await database?.drop();
    }
  }
  const sqlite = ndcgs.get('sqlite');
  const postgres = ndcgs.get('postgres');
  if (sqlite !== undefined && postgres !== undefined) {
    const difference = postgres - sqlite;
    console.log(
      `\nnDCG@10 through the API: SQLite ${sqlite.toFixed(4)}   PostgreSQL ${postgres.toFixed(4)}   difference ${difference >= 0 ? '+' : ''}${difference.toFixed(4)}   ${Math.abs(difference) <= PARITY ? 'PASS' : 'MISS'} (goal within ${PARITY})`,
    );
  }
}

/** One server on one backend: upload, ingest, search; prints its report and returns its nDCG@10. */
async function evaluateServer(
  backend: string,
  env: Record<string, string>,
  data: SciFact,
  tokenizer: { megabytes: number; seconds: number },
): Promise<number> {
  const server = await startTestServer({ env });
  try {
    // A plain client: contract validation (as in the tests) would add its own time to every search.
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'bench', maxRetries: 0, timeout: 600_000 });
    const store = await client.vectorStores.create({ name: 'scifact' });
    const uploadStarted = performance.now();
    const documentOfFile = await uploadCorpus(client, data.corpus);
    const uploadSeconds = (performance.now() - uploadStarted) / 1000;
    const ingestion = await ingest(client, store.id, [...documentOfFile.keys()]);
    const { run, latencies } = await runQueries(client, store.id, data, documentOfFile);
    const result = data.evaluator.evaluate(data.qrels, run, { ndcgKs: [10], recallKs: [MAX_NUM_RESULTS] });
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    printReport({
      backend,
      data,
      server,
      mean: result.mean,
      queries: result.numQueries,
      uploadSeconds,
      ingestion,
      tokenizer,
      latencies,
    });
    return result.mean.ndcg_cut_10 ?? 0;
  } finally {
    await server.stop();
    removeDataDir(server);
  }
}

/** The file's text: title, blank line, abstract (as `keyword-eval.ts` indexes it). */
function documentText(document: CorpusDocument): string {
  return `${document.title}\n\n${document.text}`;
}

/** Named after the title (the keyword index weighs the file name as a title), `.txt` so it is read as text. */
function filenameOf(document: CorpusDocument): string {
  const title = document.title
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .trim()
    .slice(0, 200);
  return `${title || document.id}.txt`;
}

/** Uploads one file per document; returns the document id of each file id. */
async function uploadCorpus(client: OpenAI, corpus: readonly CorpusDocument[]): Promise<Map<string, string>> {
  const documentOfFile = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < corpus.length) {
      const document = corpus[next++]!;
      const file = await client.files.create({
        file: await toFile(Buffer.from(documentText(document)), filenameOf(document)),
        purpose: 'assistants',
      });
      documentOfFile.set(file.id, document.id);
    }
  };
  await Promise.all(Array.from({ length: UPLOAD_CONCURRENCY }, worker));
  return documentOfFile;
}

interface Ingestion {
  seconds: number;
  megabytes: number;
  files: number;
  failed: number;
}

/** Adds the files in batches of 2,000 and waits until none is in progress. */
async function ingest(client: OpenAI, vectorStoreId: string, fileIds: readonly string[]): Promise<Ingestion> {
  const started = performance.now();
  for (let offset = 0; offset < fileIds.length; offset += BATCH_FILES) {
    await client.vectorStores.fileBatches.create(vectorStoreId, {
      file_ids: fileIds.slice(offset, offset + BATCH_FILES),
    });
  }
  for (;;) {
    const store = await client.vectorStores.retrieve(vectorStoreId);
    if (store.file_counts.in_progress === 0) {
      return {
        seconds: (performance.now() - started) / 1000,
        megabytes: store.usage_bytes / 1e6,
        files: store.file_counts.completed,
        failed: store.file_counts.failed,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** gpt-tokenizer alone over the same text: ingestion (which tokenizes everything) can never beat it. */
function measureTokenizer(corpus: readonly CorpusDocument[]): { megabytes: number; seconds: number } {
  let bytes = 0;
  const started = performance.now();
  for (const document of corpus) {
    const text = documentText(document);
    bytes += Buffer.byteLength(text);
    encode(text);
  }
  return { megabytes: bytes / 1e6, seconds: (performance.now() - started) / 1000 };
}

async function runQueries(
  client: OpenAI,
  vectorStoreId: string,
  data: SciFact,
  documentOfFile: ReadonlyMap<string, string>,
): Promise<{ run: Map<string, RunEntry[]>; latencies: number[] }> {
  const run = new Map<string, RunEntry[]>();
  const latencies: number[] = [];
  // Warm-up, so the first measured query does not pay for lazy compilation and cold caches.
  for (const query of data.queries.slice(0, 10))
    await client.vectorStores.search(vectorStoreId, { query: query.text, max_num_results: MAX_NUM_RESULTS });
  for (const query of data.queries) {
    const started = performance.now();
    const page = await client.vectorStores.search(vectorStoreId, {
      query: query.text,
      max_num_results: MAX_NUM_RESULTS,
    });
    latencies.push(performance.now() - started);
    // A document with several chunks scores as its best one.
    const entries: RunEntry[] = [];
    const seen = new Set<string>();
    for (const result of page.data) {
      const docid = documentOfFile.get(result.file_id);
      if (docid === undefined || seen.has(docid)) continue;
      seen.add(docid);
      entries.push({ docid, rank: entries.length + 1, score: result.score, order: entries.length });
    }
    run.set(query.id, entries);
  }
  return { run, latencies };
}

interface Report {
  backend: string;
  data: SciFact;
  server: TestServer;
  mean: Record<string, number>;
  queries: number;
  uploadSeconds: number;
  ingestion: Ingestion;
  tokenizer: { megabytes: number; seconds: number };
  latencies: number[];
}

function printReport(report: Report): void {
  const { ingestion, tokenizer } = report;
  const ndcg = report.mean.ndcg_cut_10 ?? 0;
  const recall = report.mean[`recall_${MAX_NUM_RESULTS}`] ?? 0;
  const ingestRate = ingestion.megabytes / ingestion.seconds;
  const tokenizerRate = tokenizer.megabytes / tokenizer.seconds;
  const sorted = [...report.latencies].sort((left, right) => left - right);
  const at = (fraction: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0).toFixed(2);
  console.log(
    `\nBEIR SciFact test through the public API on ${report.backend} (${report.queries} queries, ${ingestion.files} files, EMBEDDING_MODEL=none)`,
  );
  console.log(
    `  nDCG@10    ${ndcg.toFixed(4)}   Anserini BM25 flat ${ANSERINI_FLAT_NDCG10.toFixed(4)}   ratio ${(ndcg / ANSERINI_FLAT_NDCG10).toFixed(3)}   ${ndcg >= 0.679 ? 'PASS' : 'MISS'} (goal ≥ 0.679)`,
  );
  console.log(
    `  Recall@${MAX_NUM_RESULTS}  ${recall.toFixed(4)}   (max_num_results caps at ${MAX_NUM_RESULTS}, so no Recall@100 through the API)`,
  );
  console.log(
    `  upload     ${report.data.corpus.length} files in ${report.uploadSeconds.toFixed(1)} s (${UPLOAD_CONCURRENCY} concurrent POST /files)`,
  );
  console.log(
    `  ingestion  ${ingestRate.toFixed(2)} MB/s (${ingestion.megabytes.toFixed(2)} MB in ${ingestion.seconds.toFixed(1)} s, batches → all completed, ${ingestion.failed} failed)` +
      `   gpt-tokenizer alone ${tokenizerRate.toFixed(2)} MB/s   ratio ${(ingestRate / tokenizerRate).toFixed(3)}`,
  );
  console.log(
    `  search     p50 ${at(0.5)} ms   p99 ${at(0.99)} ms   (HTTP round trip, max_num_results ${MAX_NUM_RESULTS}, ${sorted.length} queries)`,
  );
  console.log(`  server     peak RSS ${(report.server.peakRssBytes() / 1024 / 1024).toFixed(0)} MB`);
}

await main();

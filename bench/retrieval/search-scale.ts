import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { VectorStoreFile } from '../../src/api/types.js';
import type { EmbeddingModel } from '../../src/providers/index.js';
import type { FileSearchIndex } from '../../src/store/file-search-index.js';
import { PgFileSearchIndex } from '../../src/store/postgres/file-search-index.js';
import { DEFAULT_KEYWORD_PRUNING } from '../../src/store/postgres/keyword-search.js';
import { hnswIndex } from '../../src/store/postgres/vector-index.js';
import { DEFAULT_ANN_SETTINGS } from '../../src/store/sqlite/ann-index.js';
import { SqliteFileSearchIndex } from '../../src/store/sqlite/file-search-index.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import type { StoredVectorStoreFile } from '../../src/store/vector-store-repository.js';
import { defaultAnalyzer } from '../../src/tools/file-search/analyzer.js';
import { type FileSearchDependencies, searchFiles } from '../../src/tools/file-search/search.js';
import { openPostgresBench } from './postgres-bench.js';
import { SyntheticText } from './synthetic-text.js';

/** Store sizes measured, in chunks; the index grows from one to the next. */
const SIZES = (process.env.SEARCH_SCALE_SIZES ?? '100000,1000000').split(',').map(Number);
/** Also index vectors and measure hybrid search (EMBEDDING_DIMENSIONS' default: 256). */
const DIMENSIONS = process.env.SEARCH_SCALE_VECTORS === '0' ? undefined : 256;
const CHUNKS_PER_FILE = 100;
const WORDS_PER_CHUNK = 60;
const VOCABULARY_SIZE = 30_000;
/** Queries per case (the first 10 again as warm-up); exact vector search at 1M chunks takes a while. */
const QUERIES = Number(process.env.SEARCH_SCALE_QUERIES ?? 200);
const VECTOR_STORE_ID = 'vs_scale';
const PROJECT = 'bench';
/** PostgreSQL beside SQLite when a server is given (a database is created on it for the run and dropped after). */
const DATABASE_URL = process.env.SEARCH_SCALE_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
const BACKENDS = (process.env.SEARCH_SCALE_BACKENDS ?? (DATABASE_URL ? 'sqlite,postgres' : 'sqlite')).split(',');
/**
 * `incremental` (default): PostgreSQL's HNSW index grows with every insert, as in production. `bulk`: it is dropped
 * while chunks are added and built once after (CREATE INDEX), as an operator would after a bulk import — on a
 * loaded 2-core machine, inserting a million vectors one file at a time takes hours.
 */
const HNSW_BUILD = process.env.SEARCH_SCALE_HNSW === 'bulk' ? 'bulk' : 'incremental';
/**
 * PostgreSQL only: measure the store of a database an earlier run kept (BENCH_KEEP_DATABASE=1) instead of building
 * one — e.g. to measure again on a quieter machine; SEARCH_SCALE_SIZES must then be the size it holds.
 */
const REUSE_DATABASE = process.env.SEARCH_SCALE_REUSE_DATABASE || undefined;
/**
 * `clustered` (default): each vector is a hashed bag of its words around one of 2,000 cluster centres (picked by a
 * hash of the text), so vectors have neighbourhoods as real embeddings do and the approximate indexes' recall means
 * something. `hashed`: the bag of words alone (the figures recorded before), structureless: every vector is about
 * as far from every other, where HNSW's recall is poor whatever its settings.
 */
const EMBEDDINGS = process.env.SEARCH_SCALE_EMBEDDINGS === 'hashed' ? 'hashed' : 'clustered';
const CLUSTERS = 2_000;
/** The bag of words' weight beside the unit cluster centre. */
const CLUSTER_SPREAD = 0.75;
/** Goals (issue #12): hybrid search at 1M chunks under 20 ms p50; approximate recall@10 at least 0.95 of exact. */
const LATENCY_GOAL_MS = 20;
/** Besides the default ef, recall is measured with these (SEARCH_SCALE_EF, comma-separated; empty: none). */
const SWEPT_EF = (process.env.SEARCH_SCALE_EF ?? '100,200,800').split(',').filter(Boolean).map(Number);
const RECALL_GOAL = 0.95;

/** One backend under test: its store, the index searches go through, and what to do between build and queries. */
interface Backend {
  name: string;
  store: Store;
  index: FileSearchIndex;
  /** Chunks the store holds already (a reused database), 0 for a fresh store. */
  existingChunks: number;
  /** Before chunks are added (PostgreSQL with SEARCH_SCALE_HNSW=bulk: drops the HNSW index). */
  prepareBuild(): Promise<void>;
  /** Brings the index to its steady state after a bulk build (PostgreSQL: what autovacuum would do). */
  settle(): Promise<void>;
  /** Extra lines after each size (PostgreSQL: how searches were answered, vector recall). */
  report(
    queries: readonly string[],
    chunkTexts: readonly string[],
    embeddings: EmbeddingModel | undefined,
  ): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Search latency at 100k and 1M chunks in one vector store, through the production search path
 * (`searchFiles`: BM25, plus vectors and rank fusion when vectors are on), on SQLite (FTS5 + sqlite-vec, in a
 * temporary file) and on PostgreSQL (BM25 from term statistics + pgvector HNSW, in a temporary database) when a
 * server is given. Chunks are synthetic: words drawn from a Zipf distribution over a made-up vocabulary, so
 * posting lists are as skewed as in natural text. Embeddings are a cheap hashed bag of words computed in-process,
 * so the figures are the index's, not an embedding provider's.
 */
async function main(): Promise<void> {
  const embeddings =
    DIMENSIONS === undefined
      ? undefined
      : EMBEDDINGS === 'clustered'
        ? clusteredEmbeddings(DIMENSIONS)
        : hashedEmbeddings(DIMENSIONS);
  console.log(
    `search-scale: one store, ${CHUNKS_PER_FILE} chunks per file, ${WORDS_PER_CHUNK} words per chunk, vectors ${DIMENSIONS ? `${DIMENSIONS} (${EMBEDDINGS})` : 'off'}, backends ${BACKENDS.join(', ')}, HNSW built ${HNSW_BUILD === 'bulk' ? 'after each load' : 'by each insert'}; load average ${loadAverage()}`,
  );
  const summary: string[] = [];
  for (const name of BACKENDS) {
    const backend = await openBackend(name);
    try {
      if (backend.existingChunks === 0) await createStore(backend.store);
      else if (SIZES.join() !== String(backend.existingChunks)) {
        throw new Error(`the reused store holds ${backend.existingChunks} chunks: set SEARCH_SCALE_SIZES to that`);
      }
      // The same queries and chunks, in the same order, on every backend (and as when this bench was SQLite's alone).
      const text = new SyntheticText(VOCABULARY_SIZE, 0x1234567);
      const queries = Array.from({ length: QUERIES }, () => text.query());
      const chunkLike = text.sibling(0xabcdef);
      const chunkTexts = Array.from({ length: 50 }, () => chunkLike.chunk(WORDS_PER_CHUNK));
      let built = backend.existingChunks;
      let buildSeconds = 0;
      for (const size of SIZES) {
        const started = performance.now();
        // A reused store is measured as it is.
        const adding = built < size;
        if (adding) await backend.prepareBuild();
        while (built < size) {
          await addFile(backend.store, `file-${built / CHUNKS_PER_FILE}`, text, embeddings);
          built += CHUNKS_PER_FILE;
        }
        buildSeconds += (performance.now() - started) / 1000;
        const settleStarted = performance.now();
        if (adding) await backend.settle();
        const settleSeconds = (performance.now() - settleStarted) / 1000;
        console.log(
          adding
            ? `\n${backend.name}, ${built.toLocaleString('en-US')} chunks: built in ${buildSeconds.toFixed(1)} s so far (${(built / buildSeconds).toFixed(0)} chunks/s)` +
                (settleSeconds >= 0.05 ? `, then settled in ${settleSeconds.toFixed(1)} s` : '')
            : `\n${backend.name}, ${built.toLocaleString('en-US')} chunks: the reused database's store`,
        );
        console.log(`  load average ${loadAverage()}`);
        for (const line of await measureSize(backend, queries, embeddings)) {
          summary.push(`${backend.name.padEnd(10)} ${built.toLocaleString('en-US').padStart(9)}  ${line}`);
        }
        exactAnswers.clear();
        for (const line of await backend.report(queries, chunkTexts, embeddings)) console.log(`  ${line}`);
      }
    } finally {
      await backend.close();
    }
  }
  console.log(
    `\nsummary (p50 / p99 ms; goal: hybrid p50 < ${LATENCY_GOAL_MS} ms at 1M), load average ${loadAverage()}`,
  );
  for (const line of summary) console.log(`  ${line}`);
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

async function measureSize(
  backend: Backend,
  queries: readonly string[],
  embeddings: EmbeddingModel | undefined,
): Promise<string[]> {
  const deps = (model: EmbeddingModel | undefined): FileSearchDependencies => ({
    index: backend.index,
    vectorStores: backend.store.vectorStores,
    embeddings: model,
    filenames: async (_project, fileIds) => new Map(fileIds.map((id) => [id, `${id}.txt`])),
  });
  const lines: string[] = [];
  for (const maxNumResults of [10, 50]) {
    const cases: Array<[string, EmbeddingModel | undefined]> = [['keyword', undefined]];
    if (embeddings) cases.push(['hybrid', embeddings]);
    for (const [kind, model] of cases) {
      const name = `${kind.padEnd(8)} max_num_results ${maxNumResults}`;
      const line = await measure(name, kind === 'hybrid' ? LATENCY_GOAL_MS : undefined, queries, (query) =>
        searchFiles(deps(model), {
          project: PROJECT,
          vectorStoreIds: [VECTOR_STORE_ID],
          queries: [query],
          maxNumResults,
        }),
      );
      lines.push(line);
    }
  }
  return lines;
}

async function openBackend(name: string): Promise<Backend> {
  if (name === 'sqlite') {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'search-scale-'));
    const filename = path.join(directory, 'index.sqlite');
    const plans = new Map<string, number>();
    const store = SqliteStore.open(filename, {
      vectorDimensions: DIMENSIONS,
      vectorIndex: { observe: (plan) => plans.set(plan, (plans.get(plan) ?? 0) + 1) },
    });
    // The same file through a second connection, every distance computed: the reference for recall.
    const exactDb = new SqliteDatabase(filename);
    const exact = new SqliteFileSearchIndex(exactDb, DIMENSIONS, undefined, { exactMax: Number.POSITIVE_INFINITY });
    return {
      name,
      store,
      index: store.fileSearch,
      existingChunks: 0,
      prepareBuild: async () => {},
      // The approximate index is built in its worker while chunks are added; searches wait until it has caught up.
      settle: async () => {
        await store.fileSearch.vectorIndexSettled();
        plans.clear();
      },
      report: async (queries, chunkTexts, model) => {
        const lines = [`vector searches answered (per store): ${JSON.stringify(Object.fromEntries(plans))}`];
        plans.clear();
        if (model) {
          lines.push(await vectorRecall(store.fileSearch, exact, queries, chunkTexts, model, 'HNSW (hnswlib)'));
          // The same graph walked with other candidate lists (ef), to see what recall costs.
          for (const ef of SWEPT_EF) {
            store.fileSearch.approximateSearchEf = ef;
            lines.push(await vectorRecall(store.fileSearch, exact, queries, chunkTexts, model, `HNSW, ef ${ef}`));
          }
          store.fileSearch.approximateSearchEf = DEFAULT_ANN_SETTINGS.efSearch;
        }
        return lines;
      },
      close: async () => {
        exactDb.close();
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  if (name !== 'postgres') throw new Error(`unknown backend ${name}: sqlite or postgres`);
  if (!DATABASE_URL) throw new Error('the postgres backend needs SEARCH_SCALE_DATABASE_URL or TEST_DATABASE_URL');
  const bench = await openPostgresBench(DATABASE_URL, 'search_scale', DIMENSIONS, REUSE_DATABASE);
  // The bench's database holds its one store.
  const existing = await bench.store.db.get<{ chunks: number }>(
    'SELECT count(*)::int AS chunks FROM file_search_chunks',
  );
  const hnsw = DIMENSIONS === undefined ? undefined : hnswIndex(DIMENSIONS);
  const plans = new Map<string, number>();
  const index = await PgFileSearchIndex.open(bench.store.db, DIMENSIONS, {
    keywordPruning: { ...DEFAULT_KEYWORD_PRUNING, observe: (plan) => plans.set(plan, (plans.get(plan) ?? 0) + 1) },
  });
  return {
    name,
    store: bench.store,
    index,
    existingChunks: existing?.chunks ?? 0,
    prepareBuild: async () => {
      if (HNSW_BUILD === 'bulk' && hnsw) await bench.store.db.run(`DROP INDEX IF EXISTS ${hnsw.name}`);
    },
    settle: async () => {
      if (HNSW_BUILD === 'bulk' && hnsw) {
        // Room for the whole graph (1M x 256 dimensions: ~1.5 GB), or pgvector builds it on disk, much slower.
        await bench.store.db.transaction(async (tx) => {
          await tx.run("SET LOCAL maintenance_work_mem = '3GB'");
          await tx.run(hnsw.create);
        });
      }
      await bench.vacuum();
    },
    report: async (queries, chunkTexts, model) => {
      const lines = [`keyword searches answered: ${JSON.stringify(Object.fromEntries(plans))}`];
      plans.clear();
      if (model) {
        const approximate = await PgFileSearchIndex.open(bench.store.db, DIMENSIONS);
        const exact = await PgFileSearchIndex.open(bench.store.db, DIMENSIONS, {
          vectorSearch: { exactMax: Number.POSITIVE_INFINITY },
        });
        lines.push(await vectorRecall(approximate, exact, queries, chunkTexts, model, 'HNSW (pgvector)'));
      }
      return lines;
    },
    close: () => bench.close(),
  };
}

/**
 * How many of the exact 10 nearest neighbours the approximate index finds, for the bench's queries and for texts
 * like the chunks (50 each), beside the goal. With `SEARCH_SCALE_EMBEDDINGS=hashed`, four hashed words make a query
 * vector unlike any chunk's, a case no embedding model produces and HNSW handles worst, so both are shown.
 */
/** Exact answers by query vector, for the size and backend being reported (cleared before each report). */
const exactAnswers = new Map<string, Set<number>>();

async function vectorRecall(
  approximate: FileSearchIndex,
  exact: FileSearchIndex,
  queries: readonly string[],
  chunkTexts: readonly string[],
  model: EmbeddingModel,
  what: string,
): Promise<string> {
  const recall = async (texts: readonly string[]): Promise<number> => {
    let found = 0;
    let wanted = 0;
    for (const vector of await model.embed(texts)) {
      const search = { vectorStoreIds: [VECTOR_STORE_ID], limit: 10 };
      // The exact answer is computed once per vector (~1 s each at 1M) and reused for every ef measured.
      const key = vector.join(',');
      let truth = exactAnswers.get(key);
      if (!truth) {
        truth = new Set((await exact.vectorSearch(vector, search)).map((hit) => hit.chunkId));
        exactAnswers.set(key, truth);
      }
      found += (await approximate.vectorSearch(vector, search)).filter((hit) => truth.has(hit.chunkId)).length;
      wanted += truth.size;
    }
    return found / Math.max(1, wanted);
  };
  const bench = await recall(queries.slice(0, 50));
  const texts = await recall(chunkTexts);
  const verdict = (value: number): string => `${value.toFixed(3)} ${value >= RECALL_GOAL ? 'PASS' : 'MISS'}`;
  return `vector recall@10 of ${what} against exact search (goal >= ${RECALL_GOAL}, ${EMBEDDINGS} vectors): ${verdict(bench)} for the bench's queries, ${verdict(texts)} for chunk-like texts (50 each)`;
}

async function createStore(store: Store): Promise<void> {
  await store.vectorStores.insert(
    PROJECT,
    {
      id: VECTOR_STORE_ID,
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

async function addFile(
  store: Store,
  fileId: string,
  text: SyntheticText,
  embeddings: EmbeddingModel | undefined,
): Promise<void> {
  const chunks = Array.from({ length: CHUNKS_PER_FILE }, (_, index) => {
    const chunk = text.chunk(WORDS_PER_CHUNK);
    return { index, text: chunk, tokenCount: WORDS_PER_CHUNK, terms: defaultAnalyzer.terms(chunk) };
  });
  const vectors = embeddings ? await embeddings.embed(chunks.map((chunk) => chunk.text)) : undefined;
  await store.fileSearch.addChunks(VECTOR_STORE_ID, fileId, chunks, defaultAnalyzer.terms(`${fileId}.txt`), vectors);
  const file: VectorStoreFile = {
    id: fileId,
    object: 'vector_store.file',
    usage_bytes: 0,
    created_at: 0,
    vector_store_id: VECTOR_STORE_ID,
    status: 'completed',
    last_error: null,
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
    attributes: {},
  };
  const stored: StoredVectorStoreFile = {
    project: PROJECT,
    file,
    batchId: null,
    chunking: { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 },
  };
  await store.vectorStores.insertFiles([stored]);
}

async function measure(
  name: string,
  goalMs: number | undefined,
  queries: readonly string[],
  search: (query: string) => Promise<unknown>,
): Promise<string> {
  for (const query of queries.slice(0, 10)) await search(query);
  const latencies: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await search(query);
    latencies.push(performance.now() - started);
  }
  latencies.sort((left, right) => left - right);
  const at = (fraction: number): string =>
    (latencies[Math.min(latencies.length - 1, Math.floor(fraction * latencies.length))] ?? 0).toFixed(2);
  const verdict =
    goalMs === undefined ? '' : Number(at(0.5)) < goalMs ? `  PASS (p50 < ${goalMs})` : `  MISS (p50 < ${goalMs})`;
  console.log(
    `  ${name.padEnd(28)} p50 ${at(0.5).padStart(8)} ms   p99 ${at(0.99).padStart(8)} ms   (${latencies.length} queries)${verdict}`,
  );
  return `${name.padEnd(28)} ${at(0.5).padStart(8)} / ${at(0.99).padStart(8)}${verdict}`;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

function normalised(vector: number[]): number[] {
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

function bagOfWords(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.split(/\W+/)) {
    if (word === '') continue;
    const hash = fnv1a(word);
    vector[hash % dimensions]! += hash & 0x100 ? 1 : -1;
  }
  return normalised(vector);
}

/** A hashed bag of words (FNV-1a), L2-normalised: texts sharing words are close, at no provider cost. */
function hashedEmbeddings(dimensions: number): EmbeddingModel {
  return {
    modelId: 'hashed-bag-of-words',
    dimensions,
    embed: async (texts) => texts.map((text) => bagOfWords(text, dimensions)),
  };
}

/**
 * The bag of words around one of `CLUSTERS` unit centres (random, fixed), the centre chosen by a hash of the whole
 * text: vectors form clusters as real embeddings of a corpus do, while texts sharing words stay closer inside one.
 */
function clusteredEmbeddings(dimensions: number): EmbeddingModel {
  let state = 0x9e3779b9;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296 - 0.5;
  };
  const centres = Array.from({ length: CLUSTERS }, () => normalised(Array.from({ length: dimensions }, random)));
  const embedOne = (text: string): number[] => {
    const centre = centres[fnv1a(text) % CLUSTERS]!;
    const bag = bagOfWords(text, dimensions);
    return normalised(centre.map((value, index) => value + CLUSTER_SPREAD * bag[index]!));
  };
  return { modelId: 'clustered-bag-of-words', dimensions, embed: async (texts) => texts.map(embedOne) };
}

await main();

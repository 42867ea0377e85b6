import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { VectorStoreFile } from '../../src/api/types.js';
import type { EmbeddingModel } from '../../src/providers/index.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { StoredVectorStoreFile } from '../../src/store/vector-store-repository.js';
import { defaultAnalyzer } from '../../src/tools/file-search/analyzer.js';
import { type FileSearchDependencies, searchFiles } from '../../src/tools/file-search/search.js';

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

/**
 * Search latency at 100k and 1M chunks in one vector store, through the production search path
 * (`searchFiles`: BM25 on FTS5, plus sqlite-vec and rank fusion when vectors are on), in a temporary
 * SQLite file. Chunks are synthetic: words drawn from a Zipf distribution over a made-up vocabulary,
 * so posting lists are as skewed as in natural text. Embeddings are a cheap hashed bag of words
 * computed in-process, so the figures are the index's, not an embedding provider's.
 */
async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'search-scale-'));
  const store = SqliteStore.open(path.join(directory, 'index.sqlite'), { vectorDimensions: DIMENSIONS });
  const text = new SyntheticText(VOCABULARY_SIZE, 0x1234567);
  const embeddings = DIMENSIONS === undefined ? undefined : hashedEmbeddings(DIMENSIONS);
  try {
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
    const queries = Array.from({ length: QUERIES }, () => text.query());
    let built = 0;
    let buildSeconds = 0;
    console.log(
      `search-scale: one store, ${CHUNKS_PER_FILE} chunks per file, ${WORDS_PER_CHUNK} words per chunk, vectors ${DIMENSIONS ?? 'off'}`,
    );
    for (const size of SIZES) {
      const started = performance.now();
      while (built < size) {
        await addFile(store, `file-${built / CHUNKS_PER_FILE}`, text, embeddings);
        built += CHUNKS_PER_FILE;
      }
      buildSeconds += (performance.now() - started) / 1000;
      console.log(
        `\n${built.toLocaleString('en-US')} chunks: built in ${buildSeconds.toFixed(1)} s so far (${(built / buildSeconds).toFixed(0)} chunks/s)`,
      );
      const deps = (model: EmbeddingModel | undefined): FileSearchDependencies => ({
        index: store.fileSearch,
        vectorStores: store.vectorStores,
        embeddings: model,
        filenames: async (_project, fileIds) => new Map(fileIds.map((id) => [id, `${id}.txt`])),
      });
      for (const maxNumResults of [10, 50]) {
        await measure(`keyword  max_num_results ${maxNumResults}`, queries, (query) =>
          searchFiles(deps(undefined), {
            project: PROJECT,
            vectorStoreIds: [VECTOR_STORE_ID],
            queries: [query],
            maxNumResults,
          }),
        );
        if (embeddings) {
          await measure(`hybrid   max_num_results ${maxNumResults}`, queries, (query) =>
            searchFiles(deps(embeddings), {
              project: PROJECT,
              vectorStoreIds: [VECTOR_STORE_ID],
              queries: [query],
              maxNumResults,
            }),
          );
        }
      }
    }
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function addFile(
  store: SqliteStore,
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
  queries: readonly string[],
  search: (query: string) => Promise<unknown>,
): Promise<void> {
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
  console.log(
    `  ${name.padEnd(28)} p50 ${at(0.5).padStart(8)} ms   p99 ${at(0.99).padStart(8)} ms   (${latencies.length} queries)`,
  );
}

/** Made-up words ("kotavu", "relisma", ...) drawn with Zipf's law, deterministic for a seed. */
class SyntheticText {
  readonly #words: string[];
  readonly #cumulative: Float64Array;
  #state: number;

  constructor(size: number, seed: number) {
    this.#state = seed;
    const syllables = [
      'ka',
      'to',
      'ri',
      'ne',
      'lu',
      'sa',
      'mo',
      'vi',
      'de',
      'pa',
      'go',
      'ti',
      'ra',
      'sem',
      'lor',
      'ven',
      'dal',
      'mis',
    ];
    const words = new Set<string>();
    while (words.size < size) {
      const length = 2 + (this.#next() % 3);
      words.add(Array.from({ length }, () => syllables[this.#next() % syllables.length]).join(''));
    }
    this.#words = [...words];
    this.#cumulative = new Float64Array(size);
    let sum = 0;
    for (let rank = 0; rank < size; rank++) this.#cumulative[rank] = sum += 1 / (rank + 1);
    for (let rank = 0; rank < size; rank++) this.#cumulative[rank]! /= sum;
  }

  chunk(words: number): string {
    return `${Array.from({ length: words }, () => this.#word()).join(' ')}.`;
  }

  /** Four words from the middle of the distribution, as a user's query mixes common and rarer terms. */
  query(): string {
    return Array.from({ length: 4 }, () => this.#words[50 + (this.#next() % 5000)]).join(' ');
  }

  #word(): string {
    const target = (this.#next() % 1_000_000) / 1_000_000;
    let low = 0;
    let high = this.#cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return this.#words[low]!;
  }

  #next(): number {
    // xorshift32
    this.#state ^= this.#state << 13;
    this.#state ^= this.#state >>> 17;
    this.#state ^= this.#state << 5;
    return this.#state >>> 0;
  }
}

/** A hashed bag of words (FNV-1a), L2-normalised: texts sharing words are close, at no provider cost. */
function hashedEmbeddings(dimensions: number): EmbeddingModel {
  const embedOne = (text: string): number[] => {
    const vector = new Array<number>(dimensions).fill(0);
    for (const word of text.split(/\W+/)) {
      if (word === '') continue;
      let hash = 0x811c9dc5;
      for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 0x01000193);
      vector[(hash >>> 0) % dimensions]! += hash & 0x100 ? 1 : -1;
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  };
  return { modelId: 'hashed-bag-of-words', dimensions, embed: async (texts) => texts.map(embedOne) };
}

await main();

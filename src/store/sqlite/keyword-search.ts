import type { ChunkHit, ChunkSearch } from '../file-search-index.js';
import { anyOf, buildKeywordMatch } from './fts-query.js';
import { fts5Idf, keywordStatistics, termCounts } from './keyword-statistics.js';
import {
  type ColumnWeights,
  docsizeLength,
  fts5Tokens,
  SCOPE_TOKENS,
  termShare,
  type WeightedTerm,
} from './keyword-terms.js';
import { FTS5_B, FTS5_K1 } from './score-normalization.js';
import type { SqliteDatabase } from './sqlite-database.js';

/*
 * The exact BM25 top k on FTS5 without scoring every matching chunk.
 *
 * Where a plain FTS5 search spent its time (bench/README.md, 1M chunks in one store): bm25() computes each phrase's
 * idf by walking the phrase's whole posting list, the scope phrase that limits a search to its vector stores
 * included — a million entries, most of the 90 ms — and then scores every matching row (a docsize read each,
 * ~1 µs), over the posting lists of every query term.
 *
 * Term at a time with bounds (in the spirit of MaxScore, Turtle & Flood 1995). A term's share of a chunk's score
 * never reaches idf · (k1 + 1).
 * 1. Each term's posting list is read from fts5vocab as bare chunk ids, one per instance (no scoring, no scope
 *    phrase): that gives the term's document frequency (the same count bm25() takes), how many times each chunk
 *    holds it, and the few chunks holding two or more of the terms. Those are scored exactly from their rows of
 *    `file_search_chunk_terms` (keyword-terms.ts) with the statistics bm25() uses (keyword-statistics.ts).
 * 2. Every other matching chunk holds exactly one term, so its score is that term's share alone. Terms are taken by
 *    decreasing bound; once a term's bound is no more than the k-th score found, neither it nor any later term can
 *    place a chunk (usually the case for common terms, whose postings are then never scored). Otherwise its chunks
 *    are bounded again from their instance counts (each instance weighted as the heavier column, and the shortest
 *    length those instances allow): when few reach the k-th score they are fetched and scored, best bound first;
 *    when many do, FTS5 scores the term's postings (bm25() of that term alone) and they are taken best first.
 * Chunks outside the searched stores and files are skipped as they are met. The search is left to FTS5 with its
 * scope phrase, as before (`exhaustive`), when too many are met (a small store in a big table: FTS5's cost is then
 * the store's), when too many chunks share terms, when a term could be read differently by FTS5, when the posting
 * lists are too long to hold, and when FTS5 is cheaper anyway (a small index, or about as many results asked for as
 * there are matches). Every plan returns the chunks and
 * scores bm25() does, up to floating-point rounding (shares are summed in another order), which only matters for
 * exact ties. Reading a posting list is the one cost that grows with the index (~0.1 µs a posting): at 1M chunks a
 * query of common words reads a few hundred thousand (bench/README.md gives the worst case measured).
 */

/** Bounds the cost of one search: an OR of thousands of terms would scan most of the index. */
export const MAX_QUERY_TERMS = 128;
/**
 * Postings read as chunk ids at most (~0.1 µs and 8 bytes each): past this FTS5 scores the query where it stands,
 * without holding the lists in memory (at 1M chunks of 60 words, a query of the 20 commonest words).
 */
const MAX_POSTINGS = 2_000_000;
/** Results asked for beyond which FTS5 answers (production asks for at most 150: 50 results × 3 for fusion). */
const MAX_PRUNED_LIMIT = 200;
/** Chunks holding several terms completed one by one (~3 µs each) before the scoped search is the cheaper plan. */
const MAX_SHARED = 20_000;

/** How a keyword search is answered; production uses the defaults, tests others. */
export interface KeywordPruning {
  /** Prune at all (off: FTS5 scores every match, as before). */
  enabled: boolean;
  /**
   * FTS5's work on a whole query (see `#readPostings`) under which it answers, as it is then a few milliseconds at
   * most (tests set 0 to prune small corpora).
   */
  smallSearch: number;
  /** Chunks met outside the searched stores and files before FTS5's scoped search is the cheaper plan. */
  maxOutOfScope: number;
  /** Told how each search was answered, with how many of its terms FTS5 scored in full (of `terms`). */
  observe?: (plan: 'exhaustive' | 'pruned', scoredTerms: number, terms: number) => void;
}

export const DEFAULT_KEYWORD_PRUNING: Readonly<KeywordPruning> = Object.freeze({
  enabled: true,
  smallSearch: 4_000,
  maxOutOfScope: 2_000,
});

/** A ranked chunk before normalization: its raw BM25. */
export interface RankedChunk extends Omit<ChunkHit, 'score'> {
  bm25: number;
}

interface QueryTerm extends WeightedTerm {
  frequency: number;
  /** The most its share of a chunk's score can be (never reached). */
  bound: number;
}

interface ChunkRow {
  chunk_id: number;
  vector_store_id: string;
  file_id: string;
  chunk_index: number;
  text: string;
}

interface ChunkScoringRow extends ChunkRow {
  keyword_title: string | null;
  /** FTS5's docsize record of the chunk. */
  sz: Uint8Array | null;
}

/** The best `search.limit` chunks for `terms` (at most MAX_QUERY_TERMS), best first, ties by chunk id. */
export function rankKeywordChunks(
  db: SqliteDatabase,
  terms: readonly string[],
  search: ChunkSearch,
  weights: ColumnWeights,
  pruning: Readonly<KeywordPruning> = DEFAULT_KEYWORD_PRUNING,
): RankedChunk[] {
  if (search.limit <= 0 || terms.length === 0 || search.vectorStoreIds.length === 0) return [];
  if (search.fileIds?.size === 0) return [];
  const distinct = new Set(terms).size;
  if (pruning.enabled && search.limit <= MAX_PRUNED_LIMIT && scorableOutsideFts5(terms)) {
    const pruned = new PrunedSearch(db, terms, search, weights, pruning);
    const result = pruned.run();
    if (result) {
      pruning.observe?.('pruned', pruned.scoredTerms, distinct);
      return result;
    }
  }
  pruning.observe?.('exhaustive', distinct, distinct);
  return exhaustive(db, terms, search, weights);
}

/**
 * Whether every term is one FTS5 token as it is (FTS5 would read another as a phrase of several tokens) and none
 * could be a scope token of fts-query.ts (fts5vocab counts those in the scope column, bm25() does not).
 */
function scorableOutsideFts5(terms: readonly string[]): boolean {
  return terms.every((term) => {
    const tokens = fts5Tokens(term);
    return tokens.length === 1 && tokens[0] === term && !SCOPE_LIKE.test(term);
  });
}

const SCOPE_LIKE = /^[sf][0-9a-f]+$/;

/** Bounds are raised by this factor so floating-point rounding can never let a share exceed its bound. */
const BOUND_SLACK = 1 + 1e-9;
/** Fetching a chunk's row to score it costs about what FTS5's bm25() costs on this many postings (measured). */
const LOOKUP_COST = 4;
/** Chunks fetched per statement while their bounds are above the k-th score. */
const LOOKUP_BATCH = 64;

interface TermPostings extends QueryTerm {
  /** Chunks holding the term, ascending, and the term's instances in each (title and body together). */
  chunks: number[];
  instances: number[];
}

class PrunedSearch {
  /** Terms whose postings FTS5 scored (the others were only listed). */
  scoredTerms = 0;
  readonly #statistics;
  readonly #top: TopK;
  readonly #stores: ReadonlySet<string>;
  #outOfScope = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly terms: readonly string[],
    private readonly search: ChunkSearch,
    private readonly weights: ColumnWeights,
    private readonly pruning: Readonly<KeywordPruning>,
  ) {
    this.#statistics = keywordStatistics(db);
    this.#top = new TopK(search.limit);
    this.#stores = new Set(search.vectorStoreIds);
  }

  /** The exact top k, or undefined when FTS5's scoped search is the cheaper plan. */
  run(): RankedChunk[] | undefined {
    const query = this.#readPostings();
    if (!query) return undefined;
    const shared = sharedChunks(query);
    if (shared.size > MAX_SHARED) return undefined;
    if (!this.#complete([...shared], query)) return undefined;
    for (const term of query) {
      // A chunk holding only this term (or only a later one) scores less than the bound.
      if (this.#top.full && term.bound <= this.#top.kth) break;
      if (!this.#offerAlone(term, shared)) return undefined;
    }
    return this.#top.sorted();
  }

  /**
   * Each distinct term's posting list from fts5vocab, one row per instance (only the chunk id: reading the column
   * costs three times as much), by decreasing bound; undefined when the lists hold more than MAX_POSTINGS instances
   * (counted first, in SQLite, from fts5vocab's row counts) or when about as many chunks are asked for as match.
   */
  #readPostings(): TermPostings[] | undefined {
    const occurrences = new Map<string, number>();
    for (const term of this.terms) occurrences.set(term, (occurrences.get(term) ?? 0) + 1);
    const found = [...occurrences].map(([term, count]) => ({ term, count, ...termCounts(this.db, term) }));
    if (found.reduce((sum, entry) => sum + entry.instances, 0) > MAX_POSTINGS) return undefined;
    // FTS5 scoring the whole query costs about a posting per match plus a twentieth of one per row (the scope
    // phrase's walk). Where that is small (a small index), or where about as many chunks are asked for as match,
    // one pass in FTS5 is cheaper than reading the lists and fetching chunks one by one.
    const matches = found.reduce((sum, entry) => sum + entry.rows, 0);
    if (matches + this.#statistics.rows / 20 < this.pruning.smallSearch || this.search.limit * LOOKUP_COST >= matches) {
      return undefined;
    }
    const instances = this.db.statement('SELECT doc FROM file_search_chunks_instances WHERE term = ?').pluck();
    const query: TermPostings[] = [];
    for (const { term, count, rows } of found) {
      if (rows === 0) continue;
      const { chunks, instances: perChunk } = countInstances(instances.all(term) as number[]);
      const idf = fts5Idf(this.#statistics.rows, rows);
      const bound = count * idf * (FTS5_K1 + 1) * BOUND_SLACK;
      query.push({ term, occurrences: count, idf, frequency: rows, bound, chunks, instances: perChunk });
    }
    return query.sort((left, right) => right.bound - left.bound || (left.term < right.term ? -1 : 1));
  }

  /**
   * Scores `chunkIds` exactly: how many instances of each term they hold (from the posting lists read), their
   * lengths (FTS5's docsize records) and their title tokens. False when that cannot be done.
   */
  #complete(chunkIds: readonly number[], terms: readonly TermPostings[]): boolean {
    if (chunkIds.length === 0) return true;
    const rows = this.db.all<ChunkScoringRow>(
      `SELECT c.chunk_id, c.vector_store_id, c.file_id, c.chunk_index, c.text, c.keyword_title, d.sz
         FROM file_search_chunks AS c LEFT JOIN file_search_chunks_fts_docsize AS d ON d.id = c.chunk_id
        WHERE c.chunk_id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(chunkIds),
    );
    const { averageLength } = this.#statistics;
    for (const row of rows) {
      if (!this.#inScope(row)) {
        if (++this.#outOfScope > this.pruning.maxOutOfScope) return false;
        continue;
      }
      // Written without its title tokens (cannot happen after migration 8): let FTS5 answer.
      if (row.keyword_title === null || row.sz === null) return false;
      const length = docsizeLength(row.sz);
      let bm25 = 0;
      for (const term of terms) {
        const instances = instancesIn(term, row.chunk_id);
        bm25 += termShare(term, instances, row.keyword_title, length, averageLength, this.weights);
      }
      this.#top.offer(hit(row, bm25));
    }
    return true;
  }

  /**
   * Offers the chunks holding `term` and no other query term that can place. A chunk's share is bounded from its
   * count of instances (each weighted as the heavier column) and the shortest length they allow; when few chunks
   * reach the k-th score that way they are fetched and scored, best bound first, else FTS5 scores the postings.
   */
  #offerAlone(term: TermPostings, shared: ReadonlySet<number>): boolean {
    this.scoredTerms++;
    const heavier = Math.max(this.weights.title, this.weights.body);
    const { averageLength } = this.#statistics;
    const candidates: Array<{ chunkId: number; bound: number }> = [];
    for (const [position, chunkId] of term.chunks.entries()) {
      if (shared.has(chunkId)) continue;
      const instances = term.instances[position]!;
      const frequency = instances * heavier;
      const saturation = FTS5_K1 * (1 - FTS5_B + (FTS5_B * (SCOPE_TOKENS + instances)) / averageLength);
      const bound =
        term.occurrences * term.idf * ((frequency * (FTS5_K1 + 1)) / (frequency + saturation)) * BOUND_SLACK;
      if (!this.#top.full || bound >= this.#top.kth) candidates.push({ chunkId, bound });
      if (candidates.length * LOOKUP_COST > term.chunks.length) return this.#scoreWithFts5(term, shared);
    }
    candidates.sort((left, right) => right.bound - left.bound);
    for (let start = 0; start < candidates.length; start += LOOKUP_BATCH) {
      const batch = candidates
        .slice(start, start + LOOKUP_BATCH)
        .filter((candidate) => !this.#top.full || candidate.bound >= this.#top.kth);
      if (batch.length === 0) break;
      if (
        !this.#complete(
          batch.map((candidate) => candidate.chunkId),
          [term],
        )
      )
        return false;
    }
    return true;
  }

  /** FTS5 scores the term's postings (bm25() of the term alone); offered best first while they can place. */
  #scoreWithFts5(term: QueryTerm, shared: ReadonlySet<number>): boolean {
    // Every occurrence of a repeated term is a phrase of its own, as in the whole query.
    const phrases = anyOf(Array<string>(term.occurrences).fill(term.term))!;
    const bm25 = `bm25(file_search_chunks_fts, 0, ${this.weights.title.toFixed(6)}, ${this.weights.body.toFixed(6)})`;
    const scored = this.db
      .statement(
        `SELECT rowid, -${bm25} AS score FROM file_search_chunks_fts
          WHERE file_search_chunks_fts MATCH ? ORDER BY score DESC, rowid`,
      )
      .raw()
      .all(`{title body} : ${phrases}`) as Array<[number, number]>;
    // Rows come best first (ties by chunk id), so the first that cannot place ends the walk; chunks are fetched in
    // batches, as many as could place when the batch starts.
    let next = 0;
    while (next < scored.length) {
      const batch = new Map<number, number>();
      for (; next < scored.length && batch.size < LOOKUP_BATCH; next++) {
        const [chunkId, score] = scored[next]!;
        if (!this.#top.canPlace(score, chunkId)) {
          next = scored.length;
          break;
        }
        if (!shared.has(chunkId)) batch.set(chunkId, score);
      }
      if (batch.size === 0) continue;
      const rows = this.db.all<ChunkRow>(
        `SELECT chunk_id, vector_store_id, file_id, chunk_index, text FROM file_search_chunks
          WHERE chunk_id IN (SELECT value FROM json_each(?))`,
        JSON.stringify([...batch.keys()]),
      );
      if (rows.length < batch.size) this.#outOfScope += batch.size - rows.length;
      for (const row of rows) {
        if (this.#inScope(row)) this.#top.offer(hit(row, batch.get(row.chunk_id)!));
        else this.#outOfScope++;
      }
      if (this.#outOfScope > this.pruning.maxOutOfScope) return false;
    }
    return true;
  }

  #inScope(row: ChunkRow): boolean {
    return this.#stores.has(row.vector_store_id) && (!this.search.fileIds || this.search.fileIds.has(row.file_id));
  }
}

/** Chunk ids, one per instance, as distinct ascending ids and their counts. */
function countInstances(ids: number[]): { chunks: number[]; instances: number[] } {
  // fts5vocab lists a term's instances by row id; sorted again should a version ever list them otherwise.
  for (let index = 1; index < ids.length; index++) {
    if (ids[index]! < ids[index - 1]!) {
      ids.sort((left, right) => left - right);
      break;
    }
  }
  const chunks: number[] = [];
  const instances: number[] = [];
  for (const chunkId of ids) {
    if (chunks[chunks.length - 1] === chunkId) instances[instances.length - 1]!++;
    else {
      chunks.push(chunkId);
      instances.push(1);
    }
  }
  return { chunks, instances };
}

/** How many instances of `term` chunk `chunkId` holds (its posting list is sorted by chunk id). */
function instancesIn(term: TermPostings, chunkId: number): number {
  let low = 0;
  let high = term.chunks.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = term.chunks[middle]!;
    if (found === chunkId) return term.instances[middle]!;
    if (found < chunkId) low = middle + 1;
    else high = middle - 1;
  }
  return 0;
}

/** Chunks holding two or more of the terms: every list's ids sorted together, then the repeated ones. */
function sharedChunks(query: readonly TermPostings[]): Set<number> {
  const shared = new Set<number>();
  if (query.length < 2) return shared;
  const all = new Float64Array(query.reduce((sum, term) => sum + term.chunks.length, 0));
  let offset = 0;
  for (const term of query) {
    all.set(term.chunks, offset);
    offset += term.chunks.length;
  }
  all.sort();
  for (let index = 1; index < all.length; index++) {
    if (all[index] === all[index - 1]) shared.add(all[index]!);
  }
  return shared;
}

function hit(row: ChunkRow, bm25: number): RankedChunk {
  return {
    chunkId: row.chunk_id,
    vectorStoreId: row.vector_store_id,
    fileId: row.file_id,
    chunkIndex: row.chunk_index,
    text: row.text,
    bm25,
  };
}

/** The best `limit` chunks offered, best first, ties by chunk id. */
class TopK {
  readonly #chunks: RankedChunk[] = [];

  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.#chunks.length >= this.limit;
  }

  /** The k-th best score (the lowest kept) once full. */
  get kth(): number {
    return this.#chunks[this.#chunks.length - 1]?.bm25 ?? Number.NEGATIVE_INFINITY;
  }

  /** Whether a chunk with this score and id would be kept. */
  canPlace(bm25: number, chunkId: number): boolean {
    const last = this.#chunks[this.#chunks.length - 1];
    return !this.full || !last || bm25 > last.bm25 || (bm25 === last.bm25 && chunkId < last.chunkId);
  }

  offer(chunk: RankedChunk): void {
    if (this.full && !better(chunk, this.#chunks[this.#chunks.length - 1]!)) return;
    // Kept sorted: k is small (the API allows at most 50 results per query), insertion is cheaper than a heap here.
    let at = this.#chunks.length;
    while (at > 0 && better(chunk, this.#chunks[at - 1]!)) at--;
    this.#chunks.splice(at, 0, chunk);
    if (this.#chunks.length > this.limit) this.#chunks.pop();
  }

  sorted(): RankedChunk[] {
    return this.#chunks;
  }
}

function better(left: RankedChunk, right: RankedChunk): boolean {
  return left.bm25 > right.bm25 || (left.bm25 === right.bm25 && left.chunkId < right.chunkId);
}

/** FTS5 scores every matching chunk of the searched stores (the reference, and small stores' plan). */
export function exhaustive(
  db: SqliteDatabase,
  terms: readonly string[],
  search: ChunkSearch,
  weights: ColumnWeights,
): RankedChunk[] {
  const fileIds = search.fileIds ? [...search.fileIds] : undefined;
  const match = buildKeywordMatch({ terms, vectorStoreIds: search.vectorStoreIds, fileIds });
  if (match === null || search.limit <= 0) return [];
  return db.all<RankedChunk>(
    `SELECT c.chunk_id AS chunkId, c.vector_store_id AS vectorStoreId, c.file_id AS fileId,
            c.chunk_index AS chunkIndex, c.text AS text, r.bm25 AS bm25
       FROM (SELECT rowid, -bm25(file_search_chunks_fts, 0, ${weights.title.toFixed(6)}, ${weights.body.toFixed(6)}) AS bm25
               FROM file_search_chunks_fts WHERE file_search_chunks_fts MATCH ? ORDER BY bm25 DESC LIMIT ?) AS r
       JOIN file_search_chunks AS c ON c.chunk_id = r.rowid
      ORDER BY r.bm25 DESC, c.chunk_id`,
    match,
    search.limit,
  );
}

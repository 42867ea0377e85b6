import type { ChunkHit, ChunkSearch } from '../file-search-index.js';
import type { KeywordRanking } from '../sqlite/keyword-index.js';
import { indexTerm } from './keyword-index.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { readSearchScope, type SearchScope } from './search-scope.js';

/*
 * BM25 on PostgreSQL, computed in SQL from the postings (keyword-index.ts), exactly as FTS5's bm25() computes it
 * for the SQLite dialect: k1 = 1.2, b = 0.75, a term's frequency being title·titleWeight + body·bodyWeight, FTS5's
 * idf with its floor, and a repeated query term counted once per occurrence. Scores are then divided by the most a
 * chunk could score for these terms, as the SQLite dialect does (score-normalization.ts), so hybrid fusion and
 * `score_threshold` behave the same on both.
 *
 * Exact top-k without reading every posting of common terms (MaxScore, Turtle & Flood 1995): a term's
 * contribution never reaches weight·(k1 + 1). Postings of the rarer ("essential") terms are scored in full; the
 * common terms are only looked up for the chunks that could still reach the k-th score (index probes by chunk).
 * A chunk with none of the essential terms scores below the sum of the common terms' bounds; when the k-th score
 * found is at least that sum, the result is provably the exact top-k. Otherwise the search runs again reading
 * every term in full. So results never differ from full BM25, only the work does.
 */

const K1 = 1.2;
const B = 0.75;
/** Bounds one search's cost, as the SQLite dialect does. */
const MAX_QUERY_TERMS = 128;

/** How a keyword search prunes; production uses the defaults, tests and benches others. */
export interface KeywordPruning {
  /** Prune at all (off: every posting of every term is read). */
  enabled: boolean;
  /** At most this many postings are read in full before the remaining terms are only probed (tests force it low). */
  essentialPostings: number;
  /** What probing one chunk for one term costs, in postings read: pruning is tried when it should cost less. */
  probeCost: number;
  /** Chunks completed by probing at most (beyond them the bound cannot be proven: read in full). */
  maxProbed: number;
  /** Told how each search was answered: in full, pruned, or pruned then read again in full. */
  observe?: (plan: 'exhaustive' | 'pruned' | 'fallback') => void;
}

export const DEFAULT_KEYWORD_PRUNING: Readonly<KeywordPruning> = Object.freeze({
  enabled: true,
  essentialPostings: Number.POSITIVE_INFINITY,
  // Measured: an index probe by (chunk, term) costs about what reading and scoring 8 postings in a row does.
  probeCost: 8,
  maxProbed: 5_000,
});

/** A pruned search: the first `essential` terms are read in full, at most `maxProbed` chunks are completed. */
interface PrunePlan {
  essential: number;
  maxProbed: number;
}

export interface KeywordQuery {
  /** Distinct stored terms with their query weight: occurrences in the query × idf. */
  terms: string[];
  weights: number[];
}

/** A ranked chunk as the scoring statements return it (with its hit's fields, so no second round trip). */
interface ScoredRow extends Omit<ChunkHit, 'score'> {
  score: number;
  candidates: number;
}

/** Wraps a statement returning (chunk_id, score, candidates), best first, to return the hits' fields too. */
function withHits(scoring: string): string {
  return `WITH top AS (${scoring})
    SELECT top.chunk_id AS "chunkId", s.vector_store_id AS "vectorStoreId", f.file_id AS "fileId",
           c.chunk_index AS "chunkIndex", c.text, top.score, top.candidates
      FROM top
      JOIN file_search_chunks AS c ON c.chunk_id = top.chunk_id
      JOIN file_search_files AS f ON f.file_key = c.file_key
      JOIN file_search_scopes AS s ON s.scope_id = c.scope_id
     ORDER BY top.score DESC, top.chunk_id`;
}

/**
 * Settings every search runs with: a consistent snapshot; no JIT (its compile time dwarfs our queries); custom plans
 * (statements with parameters are prepared, and a generic plan would not see the arrays: it neither hashes a long
 * list of allowed files nor knows how many terms a query has); room to aggregate postings in memory.
 */
export const SEARCH_TRANSACTION =
  'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL jit = off; ' +
  "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL work_mem = '32MB'";

export async function searchKeywordChunks(
  db: PgDatabase,
  queryTerms: readonly string[],
  search: ChunkSearch,
  ranking: Readonly<KeywordRanking>,
  pruning: Readonly<KeywordPruning> = DEFAULT_KEYWORD_PRUNING,
): Promise<ChunkHit[]> {
  const occurrences = new Map<string, number>();
  for (const term of queryTerms.slice(0, MAX_QUERY_TERMS)) {
    const stored = indexTerm(term);
    occurrences.set(stored, (occurrences.get(stored) ?? 0) + 1);
  }
  if (occurrences.size === 0 || search.vectorStoreIds.length === 0 || search.limit <= 0) return [];
  if (search.fileIds?.size === 0) return [];
  return db.transaction(async (tx) => {
    await tx.run(SEARCH_TRANSACTION);
    const scope = await readSearchScope(tx, search.vectorStoreIds, search.fileIds, [...occurrences.keys()]);
    if (scope.scopeIds.length === 0 || scope.fileKeys?.length === 0 || scope.chunkCount === 0) return [];
    const query = weighQuery(occurrences, scope);
    if (query.terms.length === 0) return [];
    const scorer = new Bm25Scorer(tx, scope, ranking, search.limit);
    const plan = pruning.enabled ? planPruning(query, scope, search.limit, pruning) : undefined;
    let top = plan ? await scorer.pruned(query, plan) : undefined;
    pruning.observe?.(top ? 'pruned' : plan ? 'fallback' : 'exhaustive');
    top ??= await scorer.exhaustive(query);
    const maximum = query.weights.reduce((sum, weight) => sum + weight * (K1 + 1), 0);
    return top.map(({ score, candidates: _, ...hit }) => ({
      ...hit,
      score: maximum > 0 ? Math.min(1, Math.max(0, score / maximum)) : 0,
    }));
  });
}

/** Terms found in the scope, weighted by FTS5's idf times their occurrences in the query, rarest first. */
function weighQuery(occurrences: ReadonlyMap<string, number>, scope: SearchScope): KeywordQuery {
  const found = [...occurrences]
    .map(([term, count]) => ({ term, count, frequency: scope.documentFrequency.get(term) ?? 0 }))
    .filter((entry) => entry.frequency > 0)
    .sort((left, right) => left.frequency - right.frequency || (left.term < right.term ? -1 : 1));
  return {
    terms: found.map((entry) => entry.term),
    weights: found.map((entry) => entry.count * fts5Idf(scope.chunkCount, entry.frequency)),
  };
}

/** FTS5's idf (fts5_aux.c), including its floor for terms in more than half the chunks. */
export function fts5Idf(total: number, frequency: number): number {
  const idf = Math.log((total - frequency + 0.5) / (frequency + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

class Bm25Scorer {
  readonly #fileFilter: string;
  readonly #params: unknown[];

  constructor(
    private readonly tx: PgQueryable,
    scope: SearchScope,
    ranking: Readonly<KeywordRanking>,
    private readonly limit: number,
  ) {
    const averageLength = scope.totalLength / scope.chunkCount;
    // $1 scopes, $2 file keys (or null), $3 average length, $4 title weight, $5 body weight.
    this.#params = [scope.scopeIds, scope.fileKeys ?? null, averageLength, weight(ranking.titleWeight)];
    this.#params.push(weight(ranking.bodyWeight));
    this.#fileFilter = scope.fileKeys ? 'AND p.file_key = ANY($2::int4[])' : 'AND $2::int4[] IS NULL';
  }

  /** One term's BM25 in SQL for posting `p` of query term `q`, the chunk being `length` long. */
  static termScore(length: string): string {
    const frequency = '($4::float8 * p.title_tf + $5::float8 * p.body_tf)';
    // float8 constants: a bare decimal is numeric in PostgreSQL, and numeric arithmetic per posting is slow.
    const constant = (value: number): string => `${value}::float8`;
    return `q.w * ${frequency} * ${constant(K1 + 1)} / (${frequency} + ${constant(K1)} * (${constant(1 - B)} + ${constant(B)} * ${length} / $3::float8))`;
  }

  /** Every posting of every term: the reference, and the answer when pruning cannot prove its result. */
  async exhaustive(query: KeywordQuery): Promise<ScoredRow[]> {
    return this.tx.all<ScoredRow>(
      withHits(`SELECT p.chunk_id, sum(${Bm25Scorer.termScore('p.length')}) AS score, 0 AS candidates
         FROM unnest($6::text[], $7::float8[]) AS q(term, w)
         JOIN file_search_postings AS p ON p.scope_id = ANY($1::int4[]) AND p.term = q.term ${this.#fileFilter}
        GROUP BY p.chunk_id
        ORDER BY score DESC, p.chunk_id
        LIMIT $8`),
      [...this.#params, query.terms, query.weights, this.limit],
    );
  }

  /** The exact top-k read through the essential terms only; undefined when it cannot be proven exact. */
  async pruned(query: KeywordQuery, plan: PrunePlan): Promise<ScoredRow[] | undefined> {
    const { essential, maxProbed } = plan;
    const bound = query.weights.slice(essential).reduce((sum, weight) => sum + weight * (K1 + 1), 0);
    const rows = await this.tx.all<ScoredRow>(
      withHits(`WITH essential AS MATERIALIZED (
         SELECT p.chunk_id, max(p.length) AS length, sum(${Bm25Scorer.termScore('p.length')}) AS partial
           FROM unnest($6::text[], $7::float8[]) AS q(term, w)
           JOIN file_search_postings AS p ON p.scope_id = ANY($1::int4[]) AND p.term = q.term ${this.#fileFilter}
          GROUP BY p.chunk_id
       ),
       kth AS (SELECT coalesce((SELECT partial FROM essential ORDER BY partial DESC OFFSET $8 - 1 LIMIT 1), 0) AS partial),
       candidates AS MATERIALIZED (
         SELECT e.chunk_id, e.length, e.partial FROM essential AS e, kth
          WHERE e.partial + $11::float8 >= kth.partial
          ORDER BY e.partial DESC LIMIT $12
       )
       SELECT c.chunk_id, c.partial + coalesce(rest.score, 0) AS score, (SELECT count(*) FROM candidates)::int4 AS candidates
         FROM candidates AS c
         LEFT JOIN LATERAL (
           SELECT sum(${Bm25Scorer.termScore('c.length')}) AS score
             FROM unnest($9::text[], $10::float8[]) AS q(term, w)
             JOIN file_search_postings AS p ON p.chunk_id = c.chunk_id AND p.term = q.term
         ) AS rest ON true
        ORDER BY score DESC, c.chunk_id
        LIMIT $8`),
      [
        ...this.#params,
        query.terms.slice(0, essential),
        query.weights.slice(0, essential),
        this.limit,
        query.terms.slice(essential),
        query.weights.slice(essential),
        bound,
        maxProbed + 1,
      ],
    );
    const kth = rows.length >= this.limit ? rows[this.limit - 1]!.score : Number.NEGATIVE_INFINITY;
    const complete = (rows[0]?.candidates ?? 0) <= maxProbed;
    return complete && kth >= bound ? rows : undefined;
  }
}

/**
 * Whether and how to prune: read in full the fewest rarest terms whose remaining terms' bound is below an estimate
 * of the k-th score, provided that completing the chunks found by probing them for the other terms should cost less
 * than reading those terms' postings. The estimate only picks the plan (the bound is then checked against the real k-th score): the
 * weight of the term by which k chunks can match, or of a pair of terms that k chunks are expected to share (if
 * terms occurred independently) — roughly what one occurrence of each scores.
 */
function planPruning(
  query: KeywordQuery,
  scope: SearchScope,
  limit: number,
  pruning: Readonly<KeywordPruning>,
): PrunePlan | undefined {
  const frequencies = query.terms.map((term) => scope.documentFrequency.get(term) ?? 0);
  const total = frequencies.reduce((sum, frequency) => sum + frequency, 0);
  const estimate = estimateKthScore(query.weights, frequencies, scope.chunkCount, limit);
  let bound = query.weights.reduce((sum, weight) => sum + weight * (K1 + 1), 0);
  let postings = 0;
  let essential = 0;
  while (essential < query.terms.length && bound > estimate && postings <= pruning.essentialPostings) {
    bound -= query.weights[essential]! * (K1 + 1);
    postings += frequencies[essential]!;
    essential++;
  }
  const probed = query.terms.length - essential;
  if (probed === 0) return undefined;
  const affordable = pruning.probeCost > 0 ? Math.floor((total - postings) / (pruning.probeCost * probed)) : Infinity;
  const maxProbed = Math.min(pruning.maxProbed, affordable);
  // Most chunks with an essential term are usually candidates: plan on probing them all.
  return maxProbed >= Math.max(limit, postings) ? { essential, maxProbed } : undefined;
}

/** Terms are in increasing document frequency. Pairs are looked at among the first terms only (cost). */
function estimateKthScore(
  weights: readonly number[],
  frequencies: readonly number[],
  chunks: number,
  k: number,
): number {
  let estimate = 0;
  let matched = 0;
  for (const [position, frequency] of frequencies.entries()) {
    matched += frequency;
    if (matched >= k) {
      estimate = weights[position]!;
      break;
    }
  }
  const paired = Math.min(frequencies.length, 16);
  for (let first = 0; first < paired; first++) {
    for (let second = first + 1; second < paired; second++) {
      if ((frequencies[first]! * frequencies[second]!) / chunks >= k) {
        estimate = Math.max(estimate, weights[first]! + weights[second]!);
      }
    }
  }
  return estimate;
}

/** A validated column weight, rounded as the SQLite dialect writes it into its bm25() call (same scores). */
function weight(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid bm25 column weight: ${value}`);
  return Number(value.toFixed(6));
}

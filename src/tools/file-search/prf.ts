import type { SqliteDatabase } from '../../store/sqlite/sqlite-database.js';
import { defaultAnalyzer, type Analyzer } from './analyzer.js';
import { queryTerms, searchKeywordTerms, type KeywordHit, type KeywordSearchInput } from './keyword-index.js';

/**
 * Pseudo-relevance feedback in the manner of RM3 (Lavrenko & Croft's relevance model, interpolated
 * with the original query as in Anserini): the top hits of a first search are assumed relevant,
 * their most probable terms form an expansion query, and the final score interpolates the two.
 *
 * FTS5's bm25() cannot weight single terms, so instead of one weighted query this runs the original
 * query and the expansion query separately and mixes their normalized (0..1) scores.
 */
export interface PseudoRelevanceFeedback {
  /** How many top hits of the first search feed the relevance model. */
  feedbackDocuments: number;
  /** How many expansion terms to add. */
  feedbackTerms: number;
  /** λ: the original query's share of the final score (1 = no feedback). */
  originalQueryWeight: number;
}

export const DEFAULT_PRF: Readonly<PseudoRelevanceFeedback> = Object.freeze({
  feedbackDocuments: 10,
  feedbackTerms: 10,
  originalQueryWeight: 0.5,
});

export function searchWithFeedback(
  db: SqliteDatabase,
  input: KeywordSearchInput,
  feedback: PseudoRelevanceFeedback = DEFAULT_PRF,
): KeywordHit[] {
  const analyzer = input.analyzer ?? defaultAnalyzer;
  const original = queryTerms(input.query, analyzer);
  const first = searchKeywordTerms(db, { ...input, terms: original, limit: Math.max(input.limit, feedback.feedbackDocuments) });
  const expansion = expansionTerms(first.slice(0, feedback.feedbackDocuments), original, analyzer, feedback.feedbackTerms);
  if (expansion.length === 0) return first.slice(0, input.limit);
  const second = searchKeywordTerms(db, { ...input, terms: expansion, limit: Math.max(input.limit, first.length) });
  return interpolate(first, second, feedback.originalQueryWeight).slice(0, input.limit);
}

/**
 * The relevance model P(t|R) = Σ_d P(d|Q) · P(t|d), with P(d|Q) from the first search's scores and
 * P(t|d) the term's share of the hit; the top terms not already in the query.
 */
export function expansionTerms(hits: readonly KeywordHit[], original: readonly string[], analyzer: Analyzer, count: number): string[] {
  const totalScore = hits.reduce((sum, hit) => sum + hit.score, 0);
  if (totalScore <= 0 || count <= 0) return [];
  const queryTermSet = new Set(original);
  const weights = new Map<string, number>();
  for (const hit of hits) {
    const terms = analyzer.terms(hit.text);
    if (terms.length === 0) continue;
    const documentWeight = hit.score / totalScore / terms.length;
    for (const term of terms) {
      // Numbers and one-letter terms are noise as expansions (Anserini filters them the same way).
      if (queryTermSet.has(term) || term.length < 2 || !/\p{L}/u.test(term)) continue;
      weights.set(term, (weights.get(term) ?? 0) + documentWeight);
    }
  }
  return [...weights.entries()]
    .sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : 1))
    .slice(0, count)
    .map(([term]) => term);
}

function interpolate(first: readonly KeywordHit[], second: readonly KeywordHit[], originalWeight: number): KeywordHit[] {
  const merged = new Map<number, KeywordHit>();
  for (const hit of first) merged.set(hit.chunkId, { ...hit, score: originalWeight * hit.score });
  for (const hit of second) {
    const existing = merged.get(hit.chunkId);
    const added = (1 - originalWeight) * hit.score;
    merged.set(hit.chunkId, existing ? { ...existing, score: existing.score + added } : { ...hit, score: added });
  }
  return [...merged.values()].sort((left, right) => right.score - left.score || left.chunkId - right.chunkId);
}

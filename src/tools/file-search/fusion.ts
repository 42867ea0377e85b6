/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): each list votes 1 / (k + rank) for its
 * items, so keyword and vector results combine without their scores having to be comparable.
 */
export interface RankedItem<T> {
  /** Identity across lists (the chunk id). */
  key: string | number;
  /** The list's own score, 0..1. */
  score: number;
  item: T;
}

export interface FusedItem<T> extends RankedItem<T> {
  /** 1-based rank of the item in each input list, null where it is absent. */
  ranks: Array<number | null>;
}

export interface FusionOptions {
  /** The API's `max_num_results` (1–50). */
  maxNumResults: number;
  /** The API's `ranking_options.score_threshold` (0..1): results scoring below it are dropped. */
  scoreThreshold?: number;
  /** The RRF constant; 60 is the paper's value and the common default. */
  k?: number;
  /** A weight per list (default 1 each). */
  weights?: readonly number[];
}

export const DEFAULT_RRF_K = 60;

/**
 * Fuses ranked lists (each best first). The fused score is the RRF sum divided by the most an item
 * can get (first in every list), so it lies in 0..1 and `score_threshold` has a fixed meaning.
 * A single list is returned with its own scores: fusing one list changes nothing, and its scores
 * say more about relevance than rank-derived ones.
 */
export function reciprocalRankFusion<T>(
  lists: ReadonlyArray<ReadonlyArray<RankedItem<T>>>,
  options: FusionOptions,
): FusedItem<T>[] {
  const k = options.k ?? DEFAULT_RRF_K;
  const threshold = options.scoreThreshold ?? 0;
  const nonEmpty = lists.filter((list) => list.length > 0);
  if (nonEmpty.length <= 1) {
    const only = nonEmpty[0] ?? [];
    return only
      .map((entry, index) => ({ ...entry, ranks: lists.map((list) => (list === only ? index + 1 : null)) }))
      .filter((entry) => entry.score >= threshold)
      .slice(0, Math.max(0, options.maxNumResults));
  }
  const weights = lists.map((_, index) => options.weights?.[index] ?? 1);
  const maximum = weights.reduce((sum, weight) => sum + weight / (k + 1), 0);
  const fused = new Map<string | number, FusedItem<T>>();
  lists.forEach((list, listIndex) => {
    const seen = new Set<string | number>();
    list.forEach((entry, position) => {
      // A key repeated within one list votes once, at its best rank.
      if (seen.has(entry.key)) return;
      seen.add(entry.key);
      let target = fused.get(entry.key);
      if (!target) {
        target = { key: entry.key, item: entry.item, score: 0, ranks: lists.map(() => null) };
        fused.set(entry.key, target);
      }
      target.score += (weights[listIndex] ?? 1) / (k + position + 1);
      target.ranks[listIndex] = position + 1;
    });
  });
  return [...fused.values()]
    .map((entry) => ({ ...entry, score: maximum > 0 ? Math.min(1, entry.score / maximum) : 0 }))
    .filter((entry) => entry.score >= threshold)
    .sort((left, right) => right.score - left.score || bestRank(left) - bestRank(right))
    .slice(0, Math.max(0, options.maxNumResults));
}

function bestRank(entry: FusedItem<unknown>): number {
  return Math.min(...entry.ranks.map((rank) => rank ?? Number.POSITIVE_INFINITY));
}

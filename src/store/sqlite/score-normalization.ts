import { documentFrequency, fts5Idf, keywordStatistics } from './keyword-statistics.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** FTS5's bm25() constant (fts5_aux.c); column weights scale term frequency, not this. */
export const FTS5_K1 = 1.2;
/** FTS5's bm25() length normalization (fts5_aux.c). */
export const FTS5_B = 0.75;

/**
 * The score a chunk would get with every query term at saturation: Σ idf(term) · (k1 + 1), each occurrence of a
 * repeated term counted (as bm25() counts each phrase). Keyword scores are divided by it, so they are 0..1 and
 * comparable across queries, which `score_threshold` needs. Statistics: keyword-statistics.ts.
 */
export function maximumScore(db: SqliteDatabase, terms: readonly string[]): number {
  const { rows } = keywordStatistics(db);
  let sum = 0;
  for (const term of terms) {
    const frequency = documentFrequency(db, term);
    if (frequency > 0) sum += fts5Idf(rows, frequency) * (FTS5_K1 + 1);
  }
  return sum;
}

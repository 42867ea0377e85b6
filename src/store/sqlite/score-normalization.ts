import type { SqliteDatabase } from './sqlite-database.js';

/** FTS5's bm25() constant (fts5_aux.c); column weights scale term frequency, not this. */
const FTS5_K1 = 1.2;
/**
 * Document frequencies come from fts5vocab, which counts by walking the term's whole posting list
 * (about 1 ms per common term at 100k chunks). They change slowly and only scale scores, so they are
 * cached per database handle, dropped on every write through keyword-index.ts and after a minute
 * (another process may have written).
 */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_TERMS = 50_000;

interface FrequencyCache {
  createdAt: number;
  total: number;
  frequencies: Map<string, number>;
}

const caches = new WeakMap<SqliteDatabase, FrequencyCache>();

/** Call after changing the index through `db`. */
export function invalidateScoreNormalization(db: SqliteDatabase): void {
  caches.delete(db);
}

/** The score a chunk would get with every query term at saturation: Σ idf(term) · (k1 + 1). */
export function maximumScore(db: SqliteDatabase, terms: readonly string[]): number {
  const cache = cacheFor(db);
  let sum = 0;
  for (const term of terms) {
    let frequency = cache.frequencies.get(term);
    if (frequency === undefined) {
      frequency = db.get<{ doc: number }>('SELECT doc FROM file_search_chunks_vocab WHERE term = ?', term)?.doc ?? 0;
      if (cache.frequencies.size < CACHE_MAX_TERMS) cache.frequencies.set(term, frequency);
    }
    if (frequency > 0) sum += fts5Idf(cache.total, frequency) * (FTS5_K1 + 1);
  }
  return sum;
}

function cacheFor(db: SqliteDatabase): FrequencyCache {
  const now = Date.now();
  let cache = caches.get(db);
  if (!cache || now - cache.createdAt > CACHE_TTL_MS) {
    const total = db.get<{ count: number }>('SELECT count(*) AS count FROM file_search_chunks')?.count ?? 0;
    cache = { createdAt: now, total, frequencies: new Map() };
    caches.set(db, cache);
  }
  return cache;
}

/** FTS5's own IDF (fts5_aux.c), including its floor for terms in more than half the rows. */
function fts5Idf(total: number, frequency: number): number {
  const idf = Math.log((total - frequency + 0.5) / (frequency + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

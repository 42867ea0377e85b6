import type { SqliteDatabase } from './sqlite-database.js';

/*
 * The collection statistics FTS5's bm25() ranks with, read the way it reads them, so a search scored outside
 * bm25() (keyword-search.ts) and the score normalization (score-normalization.ts) use the very same numbers:
 * - N, the rows of the FTS5 table, and their total length in tokens (every column, the scope tokens included),
 *   from FTS5's "averages" record (fts5_index.c, row 1 of `file_search_chunks_fts_data`: varints, the row count
 *   then each column's total);
 * - each term's document frequency, from fts5vocab (which counts by walking the term's whole posting list: about
 *   1 ms per common term at 100k chunks, hence the cache).
 * The cache belongs to one database handle: writes through it drop it (keyword-index.ts), and a commit by another
 * connection is seen through `PRAGMA data_version`, so cached statistics are never stale.
 */

const CACHE_MAX_TERMS = 50_000;

export interface KeywordStatistics {
  /** Rows of the FTS5 table (BM25's N). */
  rows: number;
  /** Their average length in tokens (all columns), as bm25() computes it. */
  averageLength: number;
}

/** A term's posting list in numbers. */
export interface TermCounts {
  /** Rows holding the term (its document frequency). */
  rows: number;
  /** Its instances in them. */
  instances: number;
}

interface Cache {
  dataVersion: number;
  statistics: KeywordStatistics;
  terms: Map<string, TermCounts>;
}

const caches = new WeakMap<SqliteDatabase, Cache>();

/** Call after changing the index through `db` (inside the write: a search cannot run in between). */
export function invalidateKeywordStatistics(db: SqliteDatabase): void {
  caches.delete(db);
}

export function keywordStatistics(db: SqliteDatabase): KeywordStatistics {
  return cacheFor(db).statistics;
}

/** In how many rows `term` occurs (0 when it does not). */
export function documentFrequency(db: SqliteDatabase, term: string): number {
  return termCounts(db, term).rows;
}

/** How many rows hold `term`, and how many instances of it they hold. */
export function termCounts(db: SqliteDatabase, term: string): TermCounts {
  const cache = cacheFor(db);
  let counts = cache.terms.get(term);
  if (counts === undefined) {
    const row = db.get<{ doc: number; cnt: number }>(
      'SELECT doc, cnt FROM file_search_chunks_vocab WHERE term = ?',
      term,
    );
    counts = { rows: row?.doc ?? 0, instances: row?.cnt ?? 0 };
    if (cache.terms.size < CACHE_MAX_TERMS) cache.terms.set(term, counts);
  }
  return counts;
}

/** FTS5's own IDF (fts5_aux.c), including its floor for terms in more than half the rows. */
export function fts5Idf(rows: number, frequency: number): number {
  const idf = Math.log((rows - frequency + 0.5) / (frequency + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

function cacheFor(db: SqliteDatabase): Cache {
  const dataVersion = Number(db.pragma('data_version'));
  let cache = caches.get(db);
  if (!cache || cache.dataVersion !== dataVersion) {
    cache = { dataVersion, statistics: readAverages(db), terms: new Map() };
    caches.set(db, cache);
  }
  return cache;
}

function readAverages(db: SqliteDatabase): KeywordStatistics {
  const block = db.get<{ block: Uint8Array }>('SELECT block FROM file_search_chunks_fts_data WHERE id = 1')?.block;
  if (!block || block.length === 0) return { rows: 0, averageLength: 0 };
  const reader = { offset: 0 };
  const rows = readVarint(block, reader);
  let tokens = 0;
  while (reader.offset < block.length) tokens += readVarint(block, reader);
  return { rows, averageLength: rows > 0 ? tokens / rows : 0 };
}

/** SQLite's varint (big-endian, 7 bits a byte, the ninth byte whole); values here stay far below 2^53. */
export function readVarint(bytes: Uint8Array, reader: { offset: number }): number {
  let value = 0;
  for (let index = 0; index < 9 && reader.offset < bytes.length; index++) {
    const byte = bytes[reader.offset++]!;
    if (index === 8) return value * 256 + byte;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return value;
  }
  return value;
}

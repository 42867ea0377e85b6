import type { SqliteDatabase } from '../../store/sqlite/sqlite-database.js';
import { defaultAnalyzer, type Analyzer } from './analyzer.js';
import type { Chunk } from './chunk.js';
import { buildKeywordMatch, scopeToken } from './fts-query.js';
import { invalidateScoreNormalization, maximumScore } from './score-normalization.js';

/**
 * A BM25 keyword index over SQLite FTS5.
 *
 * Chunk text lives in `file_search_chunks`; the FTS5 table is contentless and holds the *analyzed*
 * terms (see analyzer.ts), so stopwords and stemming are ours and identical at index and query time.
 * Its columns:
 * - `scope`: one token for the vector store and one for the file, so a search is limited to its
 *   stores inside FTS5 (an AND with a short posting list) instead of filtering every match afterwards.
 *   Its bm25 weight is 0, so it never changes a score.
 * - `title`: the file's name and document title, repeated on every chunk of the file, so a late chunk
 *   of "Annual report 2023.pdf" still matches "annual report".
 * - `body`: the chunk text.
 * The chunk row id is the FTS5 rowid (and is meant to be the vector index's rowid too).
 */
export const KEYWORD_INDEX_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS file_search_chunks (
  chunk_id INTEGER PRIMARY KEY,
  vector_store_id TEXT NOT NULL,
  file_id TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  text TEXT NOT NULL,
  token_count INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS file_search_chunks_by_file
  ON file_search_chunks (vector_store_id, file_id, chunk_index);
CREATE VIRTUAL TABLE IF NOT EXISTS file_search_chunks_fts USING fts5(
  scope, title, body,
  content = '', contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 0 tokenchars '.' categories 'L* N* Co M*'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS file_search_chunks_vocab USING fts5vocab(file_search_chunks_fts, row);
`;

/**
 * FTS5's bm25() fixes k1 = 1.2 and b = 0.75 but multiplies each column's term frequency by its weight
 * before saturation, which ranks exactly like BM25 with k1 = 1.2 / weight. Body weight 1.2 / 0.9
 * therefore gives Anserini's k1 = 0.9. Titles count half as much as body text (measured on SciFact,
 * bench/retrieval/keyword-eval.ts).
 */
export interface KeywordRanking {
  bodyWeight: number;
  titleWeight: number;
}

export const DEFAULT_KEYWORD_RANKING: Readonly<KeywordRanking> = Object.freeze({ bodyWeight: 1.2 / 0.9, titleWeight: 0.5 });

/** Bounds the cost of one search: an OR of thousands of terms would scan most of the index. */
const MAX_QUERY_TERMS = 128;

export function createKeywordIndexSchema(db: SqliteDatabase): void {
  db.exec(KEYWORD_INDEX_SCHEMA_SQL);
}

export interface IndexChunksOptions {
  /** File name and/or document title, indexed with every chunk of the file. */
  title?: string;
  analyzer?: Analyzer;
}

/** Adds chunks of one file; may be called repeatedly as a large file streams in. Returns the chunk ids. */
export function indexChunks(
  db: SqliteDatabase,
  vectorStoreId: string,
  fileId: string,
  chunks: readonly Chunk[],
  options: IndexChunksOptions = {},
): number[] {
  const analyzer = options.analyzer ?? defaultAnalyzer;
  const scope = `${scopeToken('store', vectorStoreId)} ${scopeToken('file', fileId)}`;
  const title = analyzer.terms(options.title ?? '').join(' ');
  // Analysis is CPU work; doing it before the transaction keeps the write lock short.
  const rows = chunks.map((chunk) => ({ chunk, body: analyzer.terms(chunk.text).join(' ') }));
  invalidateScoreNormalization(db);
  return db.transaction(() =>
    rows.map(({ chunk, body }) => {
      const result = db.run(
        'INSERT INTO file_search_chunks (vector_store_id, file_id, chunk_index, text, token_count) VALUES (?, ?, ?, ?, ?)',
        vectorStoreId,
        fileId,
        chunk.index,
        chunk.text,
        chunk.tokenCount,
      );
      const chunkId = Number(result.lastInsertRowid);
      db.run('INSERT INTO file_search_chunks_fts (rowid, scope, title, body) VALUES (?, ?, ?, ?)', chunkId, scope, title, body);
      return chunkId;
    }),
  );
}

/** Removes every chunk of one file in one vector store. Returns how many chunks were removed. */
export function deleteFileChunks(db: SqliteDatabase, vectorStoreId: string, fileId: string): number {
  invalidateScoreNormalization(db);
  return db.transaction(() => {
    db.run(
      `DELETE FROM file_search_chunks_fts WHERE rowid IN
         (SELECT chunk_id FROM file_search_chunks WHERE vector_store_id = ? AND file_id = ?)`,
      vectorStoreId,
      fileId,
    );
    return db.run('DELETE FROM file_search_chunks WHERE vector_store_id = ? AND file_id = ?', vectorStoreId, fileId).changes;
  });
}

export interface KeywordSearchInput {
  vectorStoreIds: readonly string[];
  query: string;
  limit: number;
  fileIds?: readonly string[] | undefined;
  analyzer?: Analyzer | undefined;
  ranking?: KeywordRanking | undefined;
}

export interface KeywordHit {
  chunkId: number;
  fileId: string;
  chunkIndex: number;
  /**
   * BM25 divided by the most any chunk could score for this query (every query term with
   * saturated frequency), so 0..1 and comparable across queries, which `score_threshold` needs.
   */
  score: number;
  text: string;
}

export function searchKeyword(db: SqliteDatabase, input: KeywordSearchInput): KeywordHit[] {
  const terms = queryTerms(input.query, input.analyzer ?? defaultAnalyzer);
  return searchKeywordTerms(db, { ...input, terms });
}

export interface KeywordTermsSearchInput {
  vectorStoreIds: readonly string[];
  /** Terms already analyzed; a repeated term counts once per repeat. */
  terms: readonly string[];
  limit: number;
  fileIds?: readonly string[] | undefined;
  ranking?: KeywordRanking | undefined;
}

/** The search itself, for callers that build the terms (pseudo-relevance feedback). */
export function searchKeywordTerms(db: SqliteDatabase, input: KeywordTermsSearchInput): KeywordHit[] {
  const { terms } = input;
  const match = buildKeywordMatch({ terms, vectorStoreIds: input.vectorStoreIds, fileIds: input.fileIds });
  if (match === null || input.limit <= 0) return [];
  const ranking = input.ranking ?? DEFAULT_KEYWORD_RANKING;
  const rows = db.all<Omit<KeywordHit, 'score'> & { bm25: number }>(
    `SELECT c.chunk_id AS chunkId, c.file_id AS fileId, c.chunk_index AS chunkIndex, c.text AS text, r.bm25 AS bm25
       FROM (SELECT rowid, -bm25(file_search_chunks_fts, 0, ${weight(ranking.titleWeight)}, ${weight(ranking.bodyWeight)}) AS bm25
               FROM file_search_chunks_fts WHERE file_search_chunks_fts MATCH ? ORDER BY bm25 DESC LIMIT ?) AS r
       JOIN file_search_chunks AS c ON c.chunk_id = r.rowid
      ORDER BY r.bm25 DESC, c.chunk_id`,
    match,
    input.limit,
  );
  if (rows.length === 0) return [];
  const maximum = maximumScore(db, terms);
  return rows.map(({ bm25, ...hit }) => ({ ...hit, score: maximum > 0 ? Math.min(1, Math.max(0, bm25 / maximum)) : 0 }));
}

/**
 * The query's analyzed terms, analyzed exactly like the chunks. Stopwords are not in the index, so
 * a query made only of them ("to be or not to be") finds nothing, as in Lucene.
 */
export function queryTerms(query: string, analyzer: Analyzer): string[] {
  return analyzer.terms(query).slice(0, MAX_QUERY_TERMS);
}

function weight(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid bm25 column weight: ${value}`);
  return value.toFixed(6);
}

import type { ChunkHit, ChunkSearch, IndexedChunk } from '../file-search-index.js';
import { scopeToken } from './fts-query.js';
import { DEFAULT_KEYWORD_PRUNING, type KeywordPruning, MAX_QUERY_TERMS, rankKeywordChunks } from './keyword-search.js';
import { invalidateKeywordStatistics } from './keyword-statistics.js';
import { docsizeColumns, fts5Tokens, plainAsciiTokens } from './keyword-terms.js';
import { maximumScore } from './score-normalization.js';
import type { SqliteDatabase } from './sqlite-database.js';

/*
 * A BM25 keyword index over SQLite FTS5 (its tables are created by migration 4).
 *
 * Chunk text lives in `file_search_chunks`; the FTS5 table `file_search_chunks_fts` is contentless and
 * holds the terms the caller analyzed, so stopwords and stemming are the caller's and identical at
 * index and query time. Its columns:
 * - `scope`: one token for the vector store and one for the file, so a search is limited to its
 *   stores inside FTS5 (an AND with a short posting list) instead of filtering every match afterwards.
 *   Its bm25 weight is 0, so it never changes a score.
 * - `title`: the file's name and document title, repeated on every chunk of the file, so a late chunk
 *   of "Annual report 2023.pdf" still matches "annual report".
 * - `body`: the chunk's terms.
 * The chunk row id is the FTS5 rowid and the vector index's rowid too. A chunk row also holds its title tokens as
 * FTS5 holds them (`keyword_title`, migration 8), which lets a search score a chunk outside FTS5 (keyword-search.ts).
 */

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

export const DEFAULT_KEYWORD_RANKING: Readonly<KeywordRanking> = Object.freeze({
  bodyWeight: 1.2 / 0.9,
  titleWeight: 0.5,
});

/** Adds chunks of one file, inside the caller's transaction. Returns the chunk ids in order. */
export function insertKeywordChunks(
  db: SqliteDatabase,
  vectorStoreId: string,
  fileId: string,
  chunks: readonly IndexedChunk[],
  titleTerms: readonly string[],
): number[] {
  const scope = `${scopeToken('store', vectorStoreId)} ${scopeToken('file', fileId)}`;
  const title = titleTerms.join(' ');
  const titleTokens = fts5Tokens(title).join(' ');
  invalidateKeywordStatistics(db);
  const ids = chunks.map((chunk) => {
    const result = db.run(
      `INSERT INTO file_search_chunks (vector_store_id, file_id, chunk_index, text, token_count, keyword_title)
       VALUES (?, ?, ?, ?, ?, ?)`,
      vectorStoreId,
      fileId,
      chunk.index,
      chunk.text,
      chunk.tokenCount,
      titleTokens,
    );
    const chunkId = Number(result.lastInsertRowid);
    db.run(
      'INSERT INTO file_search_chunks_fts (rowid, scope, title, body) VALUES (?, ?, ?, ?)',
      chunkId,
      scope,
      title,
      chunk.terms.join(' '),
    );
    return chunkId;
  });
  if (ids.length > 0 && !plainAsciiTokens(title)) checkTitleTokens(db, ids, titleTokens);
  return ids;
}

/**
 * `fts5Tokens` only imitates FTS5's tokenizer outside plain ASCII: when FTS5 counted another number of title tokens,
 * the file's chunks are marked as not scorable outside FTS5 (a search touching them is answered by FTS5).
 */
function checkTitleTokens(db: SqliteDatabase, chunkIds: readonly number[], titleTokens: string): void {
  const record = db.get<{ sz: Uint8Array }>(
    'SELECT sz FROM file_search_chunks_fts_docsize WHERE id = ?',
    chunkIds[0],
  )?.sz;
  const counted = record ? docsizeColumns(record)[1] : undefined;
  if (counted === fts5Tokens(titleTokens).length) return;
  db.run(
    'UPDATE file_search_chunks SET keyword_title = NULL WHERE chunk_id IN (SELECT value FROM json_each(?))',
    JSON.stringify(chunkIds),
  );
}

/** Removes every chunk of one file in one vector store, inside the caller's transaction. */
export function deleteKeywordChunks(db: SqliteDatabase, vectorStoreId: string, fileId: string): void {
  invalidateKeywordStatistics(db);
  db.run(
    `DELETE FROM file_search_chunks_fts WHERE rowid IN
       (SELECT chunk_id FROM file_search_chunks WHERE vector_store_id = ? AND file_id = ?)`,
    vectorStoreId,
    fileId,
  );
  db.run('DELETE FROM file_search_chunks WHERE vector_store_id = ? AND file_id = ?', vectorStoreId, fileId);
}

/**
 * The best chunks for `terms` (keyword-search.ts), scored BM25 divided by the most any chunk could score for these
 * terms (every term with saturated frequency), so 0..1 and comparable across queries, which `score_threshold`
 * needs.
 */
export function searchKeywordChunks(
  db: SqliteDatabase,
  queryTerms: readonly string[],
  search: ChunkSearch,
  ranking: KeywordRanking,
  pruning: Readonly<KeywordPruning> = DEFAULT_KEYWORD_PRUNING,
): ChunkHit[] {
  const terms = queryTerms.slice(0, MAX_QUERY_TERMS);
  const weights = { title: weight(ranking.titleWeight), body: weight(ranking.bodyWeight) };
  const rows = rankKeywordChunks(db, terms, search, weights, pruning);
  if (rows.length === 0) return [];
  const maximum = maximumScore(db, terms);
  const normalize = (bm25: number): number => (maximum > 0 ? Math.min(1, Math.max(0, bm25 / maximum)) : 0);
  return rows.map(({ bm25, ...hit }) => ({ ...hit, score: normalize(bm25) }));
}

/** A validated column weight, rounded as bm25() receives it (SQL text with 6 decimals). */
function weight(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid bm25 column weight: ${value}`);
  return Number(value.toFixed(6));
}

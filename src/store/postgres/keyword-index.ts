import { createHash } from 'node:crypto';
import type { IndexedChunk } from '../file-search-index.js';
import type { PgQueryable } from './pg-database.js';

/*
 * The write side of the BM25 keyword index on PostgreSQL (tables from migration step 2):
 * - `file_search_scopes`: one row per vector store that has chunks — an integer id for the postings, and the
 *   store's chunk count and total length (BM25's N and average length).
 * - `file_search_files`: one row per file of a store that has chunks — an integer key for the postings (attribute
 *   filters restrict a search to files) and its chunk count.
 * - `file_search_chunks`: the chunk texts.
 * - `file_search_postings`: one row per (chunk, distinct term) with the term's frequency in the title and in the
 *   body and the chunk's length, so a term's postings are scored from one index without reading chunks.
 * - `file_search_terms`: per store, in how many chunks each term occurs (BM25's document frequency).
 * Terms arrive analyzed (tools/file-search/analyzer.ts); this module only counts them. As in the SQLite dialect's
 * FTS5 table, the file's title terms count on every chunk, and a chunk's length is its title and body terms plus
 * the two scope tokens FTS5 stores beside them, so both dialects compute the same BM25.
 */

/** FTS5's row holds a store token and a file token besides title and body; they count in its lengths. */
const SCOPE_TOKENS = 2;
/** Frequencies are smallint: past this BM25 is saturated anyway (a change below 1e-4 of a term's weight). */
const MAX_FREQUENCY = 32_767;
/** Longer terms (a run of letters with no space) are stored as a prefix and a digest: a B-tree key is bounded. */
const MAX_TERM_LENGTH = 100;

/** A term as the index stores it; queries go through the same function, so both always agree. */
export function indexTerm(term: string): string {
  if (term.length <= MAX_TERM_LENGTH) return term;
  return `${term.slice(0, 64)}~${createHash('sha256').update(term).digest('hex').slice(0, 32)}`;
}

/** How a write changes the statistics; applied last in its transaction (their rows are the contended ones). */
export interface StatisticsChange {
  scopeId: number;
  chunks: number;
  length: number;
  /** Change in document frequency per term. */
  terms: Map<string, number>;
}

/**
 * The store's scope id, creating its row on first use. Outside the caller's transaction and never deleted, so
 * ids can be cached and the hot row is only locked at the very end of a write (`applyStatisticsChange`).
 */
export async function ensureScope(db: PgQueryable, vectorStoreId: string): Promise<number> {
  for (;;) {
    const row = await db.get<{ scope_id: number }>(
      `WITH created AS (
         INSERT INTO file_search_scopes (vector_store_id) VALUES ($1) ON CONFLICT (vector_store_id) DO NOTHING
         RETURNING scope_id
       )
       SELECT scope_id FROM created UNION ALL SELECT scope_id FROM file_search_scopes WHERE vector_store_id = $1`,
      [vectorStoreId],
    );
    // None only when another process created the row after this statement's snapshot: read it again.
    if (row) return row.scope_id;
  }
}

export interface WrittenChunks {
  fileKey: number;
  /** In the order of the chunks given. */
  chunkIds: number[];
  statistics: StatisticsChange;
}

/** Adds a batch of one file's chunks and their postings, inside the caller's transaction. */
export async function insertKeywordChunks(
  tx: PgQueryable,
  scopeId: number,
  fileId: string,
  chunks: readonly IndexedChunk[],
  titleTerms: readonly string[],
): Promise<WrittenChunks> {
  const title = countTerms(titleTerms);
  const lengths = chunks.map((chunk) => SCOPE_TOKENS + titleTerms.length + chunk.terms.length);
  const file = await tx.get<{ file_key: number }>(
    `INSERT INTO file_search_files (scope_id, file_id, chunk_count) VALUES ($1, $2, $3)
     ON CONFLICT (scope_id, file_id) DO UPDATE SET chunk_count = file_search_files.chunk_count + excluded.chunk_count
     RETURNING file_key`,
    [scopeId, fileId, chunks.length],
  );
  const fileKey = file!.file_key;
  const inserted = await tx.all<{ chunk_id: number; chunk_index: number }>(
    `INSERT INTO file_search_chunks (scope_id, file_key, chunk_index, token_count, length, text)
     SELECT $1, $2, chunk_index, token_count, length, text
       FROM unnest($3::int4[], $4::int4[], $5::int4[], $6::text[]) AS u(chunk_index, token_count, length, text)
     RETURNING chunk_id, chunk_index`,
    [
      scopeId,
      fileKey,
      chunks.map((chunk) => chunk.index),
      chunks.map((chunk) => chunk.tokenCount),
      lengths,
      // PostgreSQL text cannot hold NUL; nothing else in a chunk's text is changed.
      chunks.map((chunk) => chunk.text.replaceAll('\u0000', '\uFFFD')),
    ],
  );
  const idOfIndex = new Map(inserted.map((row) => [row.chunk_index, row.chunk_id]));
  const chunkIds = chunks.map((chunk) => idOfIndex.get(chunk.index)!);
  const postings = { chunkIds: [] as number[], lengths: [] as number[], title: [] as number[], body: [] as number[] };
  const terms: string[] = [];
  const documentFrequency = new Map<string, number>();
  chunks.forEach((chunk, position) => {
    const body = countTerms(chunk.terms);
    for (const term of new Set([...title.keys(), ...body.keys()])) {
      postings.chunkIds.push(chunkIds[position]!);
      postings.lengths.push(lengths[position]!);
      postings.title.push(Math.min(MAX_FREQUENCY, title.get(term) ?? 0));
      postings.body.push(Math.min(MAX_FREQUENCY, body.get(term) ?? 0));
      terms.push(term);
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
  });
  await tx.run(
    `INSERT INTO file_search_postings (chunk_id, scope_id, file_key, length, title_tf, body_tf, term)
     SELECT chunk_id, $1, $2, length, title_tf, body_tf, term
       FROM unnest($3::int8[], $4::int4[], $5::int2[], $6::int2[], $7::text[])
         AS u(chunk_id, length, title_tf, body_tf, term)`,
    [scopeId, fileKey, postings.chunkIds, postings.lengths, postings.title, postings.body, terms],
  );
  const length = lengths.reduce((sum, value) => sum + value, 0);
  return { fileKey, chunkIds, statistics: { scopeId, chunks: chunks.length, length, terms: documentFrequency } };
}

export interface IndexedFile {
  scopeId: number;
  fileKey: number;
}

/** Finds a file's row and locks it for the caller's transaction (a concurrent write of the same file waits). */
export async function lockIndexedFile(
  tx: PgQueryable,
  vectorStoreId: string,
  fileId: string,
): Promise<IndexedFile | undefined> {
  const row = await tx.get<{ scope_id: number; file_key: number }>(
    `SELECT f.scope_id, f.file_key FROM file_search_files AS f JOIN file_search_scopes AS s USING (scope_id)
      WHERE s.vector_store_id = $1 AND f.file_id = $2 FOR UPDATE OF f`,
    [vectorStoreId, fileId],
  );
  return row && { scopeId: row.scope_id, fileKey: row.file_key };
}

/** Removes a file's postings, chunks and row, inside the caller's transaction (after what refers to its chunks). */
export async function deleteKeywordChunks(tx: PgQueryable, file: IndexedFile): Promise<StatisticsChange> {
  const gone = await tx.all<{ term: string; count: number }>(
    `WITH gone AS (
       DELETE FROM file_search_postings
        WHERE chunk_id IN (SELECT chunk_id FROM file_search_chunks WHERE file_key = $1)
       RETURNING term
     )
     SELECT term, count(*)::int4 AS count FROM gone GROUP BY term`,
    [file.fileKey],
  );
  const chunks = await tx.get<{ count: number; length: number }>(
    `WITH gone AS (DELETE FROM file_search_chunks WHERE file_key = $1 RETURNING length)
     SELECT count(*)::int4 AS count, coalesce(sum(length), 0)::int8 AS length FROM gone`,
    [file.fileKey],
  );
  await tx.run('DELETE FROM file_search_files WHERE file_key = $1', [file.fileKey]);
  return {
    scopeId: file.scopeId,
    chunks: -(chunks?.count ?? 0),
    length: -(chunks?.length ?? 0),
    terms: new Map(gone.map((row) => [row.term, -row.count])),
  };
}

/**
 * Applies a write's change to the document frequencies and the store's totals. These rows are shared by every
 * writer of the store, so they are locked last (held only until the commit that follows) and in one order —
 * terms sorted, then the store's row — so concurrent writers wait for each other but never deadlock.
 */
export async function applyStatisticsChange(tx: PgQueryable, change: StatisticsChange): Promise<void> {
  const added = [...change.terms].filter(([, delta]) => delta > 0);
  const removed = [...change.terms].filter(([, delta]) => delta < 0);
  if (added.length > 0) {
    await tx.run(
      `INSERT INTO file_search_terms (scope_id, term, df)
       SELECT $1, term, df FROM unnest($2::text[], $3::int8[]) AS u(term, df) ORDER BY term COLLATE "C"
       ON CONFLICT (scope_id, term) DO UPDATE SET df = file_search_terms.df + excluded.df`,
      [change.scopeId, added.map(([term]) => term), added.map(([, delta]) => delta)],
    );
  }
  if (removed.length > 0) {
    const terms = removed.map(([term]) => term);
    await tx.run(
      `SELECT 1 FROM file_search_terms WHERE scope_id = $1 AND term = ANY($2::text[]) ORDER BY term FOR UPDATE`,
      [change.scopeId, terms],
    );
    await tx.run(
      `UPDATE file_search_terms AS t SET df = t.df + u.delta
         FROM unnest($2::text[], $3::int8[]) AS u(term, delta)
        WHERE t.scope_id = $1 AND t.term = u.term`,
      [change.scopeId, terms, removed.map(([, delta]) => delta)],
    );
    await tx.run('DELETE FROM file_search_terms WHERE scope_id = $1 AND term = ANY($2::text[]) AND df <= 0', [
      change.scopeId,
      terms,
    ]);
  }
  if (change.chunks !== 0 || change.length !== 0) {
    await tx.run(
      `UPDATE file_search_scopes SET chunk_count = chunk_count + $2, total_length = total_length + $3
        WHERE scope_id = $1`,
      [change.scopeId, change.chunks, change.length],
    );
  }
}

function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) {
    const stored = indexTerm(term);
    counts.set(stored, (counts.get(stored) ?? 0) + 1);
  }
  return counts;
}

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

/**
 * Adds a batch of one file's chunks and their postings, inside the caller's transaction, in one statement (the file's
 * row, its chunks, their postings). `asyncCommit`: the transaction's commit need not wait for its WAL flush (see
 * the caller); set here to save a round trip.
 */
export async function insertKeywordChunks(
  tx: PgQueryable,
  scopeId: number,
  fileId: string,
  chunks: readonly IndexedChunk[],
  titleTerms: readonly string[],
  asyncCommit: boolean,
): Promise<WrittenChunks> {
  const title = countTerms(titleTerms);
  const lengths = chunks.map((chunk) => SCOPE_TOKENS + titleTerms.length + chunk.terms.length);
  const postings = { chunks: [] as number[], title: [] as number[], body: [] as number[], terms: [] as string[] };
  const documentFrequency = new Map<string, number>();
  for (const chunk of chunks) {
    const body = countTerms(chunk.terms);
    for (const term of new Set([...title.keys(), ...body.keys()])) {
      postings.chunks.push(chunk.index);
      postings.title.push(Math.min(MAX_FREQUENCY, title.get(term) ?? 0));
      postings.body.push(Math.min(MAX_FREQUENCY, body.get(term) ?? 0));
      postings.terms.push(term);
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
  }
  const inserted = await tx.all<{ chunk_id: number; chunk_index: number; file_key: number }>(
    `WITH file AS (
       INSERT INTO file_search_files (scope_id, file_id, chunk_count) VALUES ($1, $2, $3)
       ON CONFLICT (scope_id, file_id) DO UPDATE SET chunk_count = file_search_files.chunk_count + excluded.chunk_count
       RETURNING file_key
     ),
     chunks AS (
       INSERT INTO file_search_chunks (scope_id, file_key, chunk_index, token_count, length, text)
       SELECT $1, file.file_key, u.chunk_index, u.token_count, u.length, u.text
         FROM file, unnest($4::int4[], $5::int4[], $6::int4[], $7::text[]) AS u(chunk_index, token_count, length, text)
       RETURNING chunk_id, chunk_index, file_key, length
     ),
     postings AS (
       INSERT INTO file_search_postings (chunk_id, scope_id, file_key, length, title_tf, body_tf, term)
       SELECT c.chunk_id, $1, c.file_key, c.length, u.title_tf, u.body_tf, u.term
         FROM unnest($8::int4[], $9::int2[], $10::int2[], $11::text[]) AS u(chunk_index, title_tf, body_tf, term)
         JOIN chunks AS c ON c.chunk_index = u.chunk_index
     )
     SELECT chunk_id, chunk_index, file_key, set_config('synchronous_commit', $12, true) FROM chunks`,
    [
      scopeId,
      fileId,
      chunks.length,
      chunks.map((chunk) => chunk.index),
      chunks.map((chunk) => chunk.tokenCount),
      lengths,
      // PostgreSQL text cannot hold NUL; nothing else in a chunk's text is changed.
      chunks.map((chunk) => chunk.text.replaceAll('\u0000', '\uFFFD')),
      postings.chunks,
      postings.title,
      postings.body,
      postings.terms,
      asyncCommit ? 'off' : 'on',
    ],
  );
  const idOfIndex = new Map(inserted.map((row) => [row.chunk_index, row.chunk_id]));
  const length = lengths.reduce((sum, value) => sum + value, 0);
  return {
    fileKey: inserted[0]!.file_key,
    chunkIds: chunks.map((chunk) => idOfIndex.get(chunk.index)!),
    statistics: { scopeId, chunks: chunks.length, length, terms: documentFrequency },
  };
}

export interface IndexedFile {
  scopeId: number;
  fileKey: number;
}

/** Whether a file has chunks in a store (no lock: deletes skip their transaction when it has none). */
export async function hasIndexedFile(db: PgQueryable, vectorStoreId: string, fileId: string): Promise<boolean> {
  const row = await db.get<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM file_search_files AS f JOIN file_search_scopes AS s USING (scope_id)
                     WHERE s.vector_store_id = $1 AND f.file_id = $2) AS found`,
    [vectorStoreId, fileId],
  );
  return row?.found === true;
}

/**
 * Finds a file's row and locks it for the caller's transaction (a concurrent write of the same file waits).
 * `asyncCommit` as for `insertKeywordChunks`.
 */
export async function lockIndexedFile(
  tx: PgQueryable,
  vectorStoreId: string,
  fileId: string,
  asyncCommit: boolean,
): Promise<IndexedFile | undefined> {
  const row = await tx.get<{ scope_id: number; file_key: number }>(
    `SELECT f.scope_id, f.file_key, set_config('synchronous_commit', $3, true)
       FROM file_search_files AS f JOIN file_search_scopes AS s USING (scope_id)
      WHERE s.vector_store_id = $1 AND f.file_id = $2 FOR UPDATE OF f`,
    [vectorStoreId, fileId, asyncCommit ? 'off' : 'on'],
  );
  return row && { scopeId: row.scope_id, fileKey: row.file_key };
}

/**
 * Removes a file's chunks, postings and row in one statement, inside the caller's transaction, with `alsoDelete`:
 * further DELETE statements of rows referring to the chunks, which may use `$1` (the file key), `$2` (the scope id)
 * and the CTE `chunks` (the chunk ids deleted).
 */
export async function deleteKeywordChunks(
  tx: PgQueryable,
  file: IndexedFile,
  alsoDelete: readonly string[],
): Promise<StatisticsChange> {
  const rows = await tx.all<{ term: string | null; count: number; length: number | null }>(
    `WITH chunks AS (DELETE FROM file_search_chunks WHERE file_key = $1 RETURNING chunk_id, length),
     postings AS (
       DELETE FROM file_search_postings WHERE chunk_id IN (SELECT chunk_id FROM chunks) RETURNING term
     ),
     file AS (DELETE FROM file_search_files WHERE file_key = $1 AND scope_id = $2)
     ${alsoDelete.map((statement, position) => `, also${position} AS (${statement})`).join('\n')}
     SELECT term, count(*)::int4 AS count, NULL::int8 AS length FROM postings GROUP BY term
     UNION ALL
     SELECT NULL, count(*)::int4, coalesce(sum(length), 0)::int8 FROM chunks`,
    [file.fileKey, file.scopeId],
  );
  const totals = rows.find((row) => row.term === null);
  return {
    scopeId: file.scopeId,
    chunks: -(totals?.count ?? 0),
    length: -(totals?.length ?? 0),
    terms: new Map(rows.flatMap((row) => (row.term === null ? [] : [[row.term, -row.count] as const]))),
  };
}

/**
 * Applies a write's change to the document frequencies and the store's totals. These rows are shared by every
 * writer of the store, so they are locked last (held only until the commit that follows) and in one order — the
 * store's row, then its terms sorted — so concurrent writers wait for each other but never deadlock. Each statement
 * updates the store's row in a CTE its main query reads first, which is what fixes that order.
 */
export async function applyStatisticsChange(tx: PgQueryable, change: StatisticsChange): Promise<void> {
  const added = [...change.terms].filter(([, delta]) => delta > 0);
  const removed = [...change.terms].filter(([, delta]) => delta < 0);
  const scopeUpdate = `UPDATE file_search_scopes SET chunk_count = chunk_count + $2, total_length = total_length + $3
                        WHERE scope_id = $1 RETURNING scope_id`;
  const totals = [change.scopeId, change.chunks, change.length];
  if (removed.length === 0) {
    await tx.run(
      `WITH scope AS (${scopeUpdate})
       INSERT INTO file_search_terms (scope_id, term, df)
       SELECT scope.scope_id, u.term, u.df FROM scope, unnest($4::text[], $5::int8[]) AS u(term, df)
        ORDER BY u.term COLLATE "C"
       ON CONFLICT (scope_id, term) DO UPDATE SET df = file_search_terms.df + excluded.df`,
      [...totals, added.map(([term]) => term), added.map(([, delta]) => delta)],
    );
    return;
  }
  // Removals (a file deleted) never come with additions.
  const terms = removed.map(([term]) => term);
  await tx.run(
    `WITH scope AS (${scopeUpdate})
     SELECT 1 FROM file_search_terms AS t, scope
      WHERE t.scope_id = scope.scope_id AND t.term = ANY($4::text[])
      ORDER BY t.term FOR UPDATE OF t`,
    [...totals, terms],
  );
  await tx.run(
    `WITH change AS (SELECT * FROM unnest($2::text[], $3::int8[]) AS u(term, delta)),
     emptied AS (
       DELETE FROM file_search_terms AS t USING change
        WHERE t.scope_id = $1 AND t.term = change.term AND t.df + change.delta <= 0
     )
     UPDATE file_search_terms AS t SET df = t.df + change.delta FROM change
      WHERE t.scope_id = $1 AND t.term = change.term AND t.df + change.delta > 0`,
    [change.scopeId, terms, removed.map(([, delta]) => delta)],
  );
}

function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) {
    const stored = indexTerm(term);
    counts.set(stored, (counts.get(stored) ?? 0) + 1);
  }
  return counts;
}

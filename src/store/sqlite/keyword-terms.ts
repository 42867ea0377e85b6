import { FTS5_B, FTS5_K1 } from './score-normalization.js';
import type { SqliteDatabase } from './sqlite-database.js';

/*
 * Each chunk's terms by chunk id (`file_search_chunk_terms`, migration 8), beside FTS5's inverted index: what a
 * pruned search (keyword-search.ts) needs to finish a chunk's BM25 score for the terms whose posting lists it did
 * not read — FTS5 can only walk a term's whole list, and its bm25() recomputes every phrase's idf by walking it.
 * A row holds the chunk's length as FTS5 counts it (all columns, the two scope tokens included) and its title and
 * body tokens, space separated, as FTS5's tokenizer cuts them (`fts5Tokens`).
 */

/**
 * What FTS5's unicode61 tokenizer with our options (migration 4: categories L* N* Co M*, token character ".",
 * diacritics kept) makes of analyzed terms: runs of those characters, case-folded. Terms from the analyzer are
 * already such runs, so this changes nothing for them (the ASCII fast path); it only keeps a term given otherwise
 * counted as FTS5 counts it.
 */
export function fts5Tokens(text: string): string[] {
  if (SIMPLE_ASCII.test(text)) return text.split(' ').filter((token) => token !== '');
  return text
    .toLowerCase()
    .split(SEPARATORS)
    .filter((token) => token !== '');
}

const SIMPLE_ASCII = /^[a-z0-9. ]*$/;
const SEPARATORS = /[^\p{L}\p{N}\p{Co}\p{M}.]+/u;

/** FTS5 stores a store token and a file token in each row's scope column; they count in its length. */
export const SCOPE_TOKENS = 2;

/** Adds one chunk's terms, inside the caller's transaction. */
export function insertChunkTerms(db: SqliteDatabase, chunkId: number, title: string, body: string): void {
  const titleTokens = fts5Tokens(title);
  const bodyTokens = fts5Tokens(body);
  db.run(
    'INSERT INTO file_search_chunk_terms (chunk_id, length, title, body) VALUES (?, ?, ?, ?)',
    chunkId,
    SCOPE_TOKENS + titleTokens.length + bodyTokens.length,
    titleTokens.join(' '),
    bodyTokens.join(' '),
  );
}

/** A query term, its weight (occurrences in the query × idf) and its index among the probed terms. */
export interface WeightedTerm {
  term: string;
  occurrences: number;
  idf: number;
}

/** The columns' weights as bm25() receives them (keyword-index.ts rounds them to SQL text). */
export interface ColumnWeights {
  title: number;
  body: number;
}

/**
 * BM25 of `terms` in one chunk as FTS5's bm25() computes a phrase's share (fts5_aux.c): the frequency is the sum
 * of the column weights over the term's instances (title instances first, added one at a time as bm25() adds
 * them), saturated with k1 = 1.2 and normalized by length with b = 0.75; each occurrence of a repeated query term
 * is a phrase of its own.
 */
export function scoreTerms(
  terms: readonly WeightedTerm[],
  title: string,
  body: string,
  length: number,
  averageLength: number,
  weights: ColumnWeights,
): number {
  const saturation = FTS5_K1 * (1 - FTS5_B + (FTS5_B * length) / averageLength);
  let score = 0;
  for (const { term, occurrences, idf } of terms) {
    let frequency = 0;
    const inTitle = countToken(title, term);
    for (let instance = 0; instance < inTitle; instance++) frequency += weights.title;
    const inBody = countToken(body, term);
    for (let instance = 0; instance < inBody; instance++) frequency += weights.body;
    if (frequency === 0) continue;
    const share = idf * ((frequency * (FTS5_K1 + 1)) / (frequency + saturation));
    for (let occurrence = 0; occurrence < occurrences; occurrence++) score += share;
  }
  return score;
}

/** How often `token` occurs in space-separated `tokens`. */
function countToken(tokens: string, token: string): number {
  let count = 0;
  let from = 0;
  for (;;) {
    const at = tokens.indexOf(token, from);
    if (at < 0) return count;
    const end = at + token.length;
    if ((at === 0 || tokens.charCodeAt(at - 1) === 32) && (end === tokens.length || tokens.charCodeAt(end) === 32)) {
      count++;
    }
    from = end;
  }
}

import { readVarint } from './keyword-statistics.js';
import { FTS5_B, FTS5_K1 } from './score-normalization.js';

/*
 * Scoring one chunk outside FTS5 exactly as bm25() scores it (fts5_aux.c), from what a pruned search
 * (keyword-search.ts) knows of the chunk: how many instances of a term its row holds (fts5vocab), its length per
 * column (FTS5's docsize record) and its title tokens (`file_search_chunks.keyword_title`, migration 8), which split
 * those instances between title and body.
 */

/**
 * What FTS5's unicode61 tokenizer with our options (migration 4: categories L* N* Co M*, token character ".",
 * diacritics kept) makes of analyzed terms: runs of those characters, case-folded. Terms from the analyzer are
 * already such runs, so this changes nothing for them (the ASCII fast path).
 */
export function fts5Tokens(text: string): string[] {
  if (plainAsciiTokens(text)) return text.split(' ').filter((token) => token !== '');
  return text
    .toLowerCase()
    .split(SEPARATORS)
    .filter((token) => token !== '');
}

const SIMPLE_ASCII = /^[a-z0-9. ]*$/;

/** Whether `text` is lowercase ASCII letters, digits and dots between spaces, which FTS5 cuts exactly as `fts5Tokens`. */
export function plainAsciiTokens(text: string): boolean {
  return SIMPLE_ASCII.test(text);
}
const SEPARATORS = /[^\p{L}\p{N}\p{Co}\p{M}.]+/u;

/** FTS5 stores a store token and a file token in each row's scope column; they count in its length. */
export const SCOPE_TOKENS = 2;

/** A query term: its occurrences in the query (each a phrase of its own, as bm25() counts them) and its idf. */
export interface WeightedTerm {
  term: string;
  occurrences: number;
  idf: number;
}

/** The columns' weights as bm25() receives them (keyword-index.ts rounds them as its SQL text does). */
export interface ColumnWeights {
  title: number;
  body: number;
}

/** A chunk's length in tokens per column (scope, title, body) from FTS5's docsize record (one varint each). */
export function docsizeColumns(record: Uint8Array): number[] {
  const reader = { offset: 0 };
  const columns: number[] = [];
  while (reader.offset < record.length) columns.push(readVarint(record, reader));
  return columns;
}

/** A chunk's length in tokens, all columns, as bm25() takes it. */
export function docsizeLength(record: Uint8Array): number {
  return docsizeColumns(record).reduce((sum, size) => sum + size, 0);
}

/**
 * A term's share of one chunk's BM25 as bm25() computes it: the frequency is the sum of the column weights over the
 * term's instances (title instances first, added one at a time as bm25() adds them), saturated with k1 = 1.2 and
 * normalized by length with b = 0.75, times the idf, once per occurrence of the term in the query.
 */
export function termShare(
  term: WeightedTerm,
  instances: number,
  titleTokens: string,
  length: number,
  averageLength: number,
  weights: ColumnWeights,
): number {
  if (instances === 0) return 0;
  const inTitle = Math.min(instances, countToken(titleTokens, term.term));
  let frequency = 0;
  for (let instance = 0; instance < inTitle; instance++) frequency += weights.title;
  for (let instance = inTitle; instance < instances; instance++) frequency += weights.body;
  const saturation = FTS5_K1 * (1 - FTS5_B + (FTS5_B * length) / averageLength);
  const share = term.idf * ((frequency * (FTS5_K1 + 1)) / (frequency + saturation));
  let score = 0;
  for (let occurrence = 0; occurrence < term.occurrences; occurrence++) score += share;
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

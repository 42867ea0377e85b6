/**
 * Builds FTS5 MATCH expressions. Every user-derived string goes through `quoteTerm`, which makes it
 * an FTS5 string literal, so no input can change the structure of the query ("AND", "NEAR(", "*",
 * ":" or a stray quote are all just text).
 */

/** A bare term as an FTS5 string literal (FTS5 escapes `"` by doubling it). */
export function quoteTerm(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/**
 * Scope tokens put a vector store or a file id into the index as one token the tokenizer cannot
 * split or fold: hex keeps ids that differ only in case or punctuation distinct.
 */
export function scopeToken(kind: 'store' | 'file', id: string): string {
  return `${kind === 'store' ? 's' : 'f'}${Buffer.from(id, 'utf8').toString('hex')}`;
}

/** `(a OR b OR c)` of already analyzed terms, or null when there is nothing to match. */
export function anyOf(terms: readonly string[]): string | null {
  if (terms.length === 0) return null;
  return `(${terms.map(quoteTerm).join(' OR ')})`;
}

export interface KeywordMatchInput {
  /** Analyzed query terms, repeats allowed (a repeated term weighs more, as in Lucene's bag of words). */
  terms: readonly string[];
  vectorStoreIds: readonly string[];
  fileIds?: readonly string[] | undefined;
}

/** The full MATCH expression: the query terms in title/body, limited to the given stores (and files). */
export function buildKeywordMatch(input: KeywordMatchInput): string | null {
  const termsExpression = anyOf(input.terms);
  const storeExpression = anyOf(input.vectorStoreIds.map((id) => scopeToken('store', id)));
  if (termsExpression === null || storeExpression === null) return null;
  const parts = [`scope : ${storeExpression}`];
  if (input.fileIds !== undefined) {
    const fileExpression = anyOf(input.fileIds.map((id) => scopeToken('file', id)));
    if (fileExpression === null) return null;
    parts.push(`scope : ${fileExpression}`);
  }
  parts.push(`{title body} : ${termsExpression}`);
  return parts.join(' AND ');
}

import { Analyzer, LUCENE_ENGLISH_STOPWORDS } from './analyzer.js';

/** Question and filler words a search gains nothing from, on top of the index's stopwords. */
const QUESTION_WORDS = [
  'what',
  'which',
  'who',
  'whom',
  'whose',
  'when',
  'where',
  'why',
  'how',
  'does',
  'do',
  'did',
  'can',
  'could',
  'would',
  'should',
  'please',
  'tell',
  'me',
  'about',
  'i',
  'we',
  'you',
  'my',
  'our',
  'your',
  'know',
  'find',
  'show',
];

const rewriter = new Analyzer({ stem: false, stopwords: new Set([...LUCENE_ENGLISH_STOPWORDS, ...QUESTION_WORDS]) });

/**
 * `rewrite_query: true` on the search endpoint: a natural-language question reduced to its search
 * terms ("What is the capital of France?" → "capital france"). Deterministic and model-free; a query
 * with nothing left keeps its original wording.
 */
export function rewriteQuery(query: string): string {
  const terms = rewriter.terms(query);
  return terms.length === 0 ? query : terms.join(' ');
}

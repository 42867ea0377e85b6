import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k, decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import {
  createTokenCounter,
  encodeInPieces,
  MAX_UNBROKEN_RUN,
  splitUnbrokenRuns,
} from '../src/providers/token-count.js';
import { chunkText } from '../src/tools/file-search/chunk.js';

/** Ordinary text of several kinds: prose, Unicode, numbers, code, a URL, Markdown, CJK. */
const ORDINARY = [
  'The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst of times.',
  "Don't panic: 3.14159 × 2 = 6.28318, and 1,000,000 people can't all be wrong — n'est-ce pas?",
  'Café crème, naïve façade, Æsir and Øresund; Straße; Ελληνικά; русский текст; עברית; العربية.',
  'export function add(left: number, right: number): number {\n  return left + right; // sum\n}\n',
  'See https://example.com/path/to/resource?query=alpha&limit=20#section-3 for details.',
  '# Heading\n\n- item one\n- item two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
  '東京は日本の首都です。人口は約1400万人で、世界でも有数の大都市です。',
  'Supercalifragilisticexpialidocious and pneumonoultramicroscopicsilicovolcanoconiosis are long words.',
  '   indented\t\ttabs\r\nwindows line\n\n\nblank lines   ',
].join('\n\n');

/** Deterministic letters without a single space. */
function unbrokenLetters(length: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let state = 12345;
  let text = '';
  for (let index = 0; index < length; index++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    text += letters[state % 26];
  }
  return text;
}

describe('linear token counting', () => {
  test('counts on ordinary text are exactly the tokenizer’s own', () => {
    const disallowedSpecial = new Set<string>();
    assert.equal(splitUnbrokenRuns(ORDINARY).length, 1, 'ordinary text is never cut');
    assert.equal(createTokenCounter('gpt-4o').countText(ORDINARY), countO200k(ORDINARY, { disallowedSpecial }));
    assert.equal(createTokenCounter('gpt-3.5-turbo').countText(ORDINARY), countCl100k(ORDINARY, { disallowedSpecial }));
    assert.deepEqual(encodeInPieces(ORDINARY, encode), encode(ORDINARY));
  });

  test('long unbroken runs are cut into bounded pieces that decode back to the same text', () => {
    const emoji = '😀'.repeat(600);
    const text = `start ${unbrokenLetters(5_000)} ${'='.repeat(3_000)} ${' '.repeat(1_000)}x ${emoji} end`;
    const pieces = splitUnbrokenRuns(text);
    assert.equal(pieces.join(''), text);
    for (const piece of pieces) {
      const longestRun = Math.max(...(piece.match(/[a-z]+|=+| +|(?:😀)+/gu) ?? ['']).map((run) => [...run].length));
      assert.ok(longestRun <= MAX_UNBROKEN_RUN, `a piece holds a run of ${longestRun}`);
      // Never between the two halves of a surrogate pair.
      assert.doesNotMatch(piece, /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
    assert.equal(decode(encodeInPieces(text, encode)), text);
    // A cut costs about a token: the count stays close to the exact one.
    const exact = countO200k(text.slice(0, 2_000));
    const linear = createTokenCounter('gpt-4o').countText(text.slice(0, 2_000));
    assert.ok(Math.abs(exact - linear) <= 8, `exact ${exact}, linear ${linear}`);
  });

  test('chunking text without spaces takes time linear in its size', () => {
    const time = (length: number): number => {
      const text = unbrokenLetters(length);
      const started = performance.now();
      const chunks = chunkText(text);
      const elapsed = performance.now() - started;
      assert.ok(chunks.length > 0 && chunks.every((chunk) => chunk.tokenCount <= 800));
      assert.ok(chunks.at(-1)!.text.endsWith(text.slice(-50)), 'the last chunk ends the text');
      return elapsed;
    };
    time(20_000); // warm the tokenizer
    const small = time(200_000);
    const large = time(2_000_000);
    // Linear: ~10x for 10x the text. Quadratic BPE took 29 s for the small one alone.
    assert.ok(large / small < 30, `200 KB took ${small.toFixed(0)} ms, 2 MB took ${large.toFixed(0)} ms`);
    assert.ok(small < 5_000, `200 KB took ${small.toFixed(0)} ms`);
  });
});

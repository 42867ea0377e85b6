import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chunkText, chunkTextStream } from '../src/tools/file-search/chunk.js';

/** Prose with characters whose bytes span several tokens (emoji with skin tones, CJK, accents). */
function multibyteProse(sentences: number): string {
  const parts = [
    'Thumbs up 👍🏽 from the team',
    '東京は日本の首都です',
    'café crème and naïve façade',
    'a plain sentence',
  ];
  return Array.from({ length: sentences }, (_, index) => `${parts[index % parts.length]} number ${index}.`).join(' ');
}

describe('chunk text fidelity', () => {
  test('every chunk is a piece of the input: no U+FFFD left over from decoding an earlier token', async () => {
    const input = multibyteProse(600);
    assert.ok(!input.includes('\uFFFD'));
    for (const limits of [
      { maxChunkSizeTokens: 100, chunkOverlapTokens: 50 },
      { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 },
    ]) {
      const whole = chunkText(input, limits);
      const streamed: typeof whole = [];
      for await (const chunk of chunkTextStream([input.slice(0, 70_001), input.slice(70_001)], limits))
        streamed.push(chunk);
      assert.ok(whole.length > 5, `${whole.length} chunks`);
      for (const chunk of [...whole, ...streamed]) {
        assert.ok(
          !chunk.text.includes('\uFFFD'),
          `chunk ${chunk.index} holds U+FFFD: ${JSON.stringify(chunk.text.slice(0, 80))}`,
        );
        assert.ok(input.includes(chunk.text), `chunk ${chunk.index} is not a piece of the input`);
      }
      assert.deepEqual(
        streamed.map((chunk) => chunk.text),
        whole.map((chunk) => chunk.text),
      );
    }
  });
});

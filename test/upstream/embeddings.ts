import { createHash } from 'node:crypto';

const DEFAULT_DIMENSIONS = 1536;

/**
 * A deterministic stand-in for an embedding model: a hashed bag of words, L2-normalised. Texts that share
 * words get a positive cosine similarity, so retrieval tests rank sensibly without a real model.
 */
export function embedText(text: string, dimensions: number = DEFAULT_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const digest = createHash('sha256').update(word).digest();
    const index = digest.readUInt32BE(0) % dimensions;
    vector[index] = (vector[index] as number) + (digest[4]! & 1 ? 1 : -1);
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

/** The body of an OpenAI `POST /v1/embeddings` response for `body`, or an error message for bad input. */
export function embeddingsResponse(body: any): { ok: true; body: unknown } | { ok: false; message: string } {
  const input: unknown = body?.input;
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
    return { ok: false, message: "'input' must be a non-empty string or array of strings" };
  }
  const dimensions = body.dimensions ?? DEFAULT_DIMENSIONS;
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    return { ok: false, message: "'dimensions' must be a positive integer" };
  }
  const tokens = texts.reduce((sum: number, text: string) => sum + Math.ceil(text.length / 4), 0);
  return {
    ok: true,
    body: {
      object: 'list',
      data: texts.map((text: string, index) => ({
        object: 'embedding',
        index,
        embedding: embedText(text, dimensions),
      })),
      model: body.model ?? 'scripted-embedding',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}

/**
 * Deterministic lowercase letters without a single space or newline: one "word" as long as the whole text,
 * the input that made token counting and chunking quadratic. xorshift32, so every run sends the same bytes.
 */
export function unbrokenLetters(length: number, seed = 2463534242): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let state = seed;
  const characters = new Array<string>(length);
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    characters[index] = letters[(state >>> 0) % 26]!;
  }
  return characters.join('');
}

const WORDS = ['report', 'quarter', 'revenue', 'growth', 'market', 'customer', 'product', 'team', 'plan', 'risk'];

/** Deterministic ordinary words separated by spaces, `length` characters: about 5 characters per token. */
export function plainWords(length: number, seed = 1234567): string {
  let state = seed;
  const parts: string[] = [];
  let total = 0;
  while (total < length) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const word = WORDS[(state >>> 0) % WORDS.length]!;
    parts.push(word);
    total += word.length + 1;
  }
  return parts.join(' ').slice(0, length);
}

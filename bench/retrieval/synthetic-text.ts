/**
 * Made-up words ("kotavu", "relisma", ...) drawn with Zipf's law, deterministic for a seed: search-scale.ts and
 * keyword-scale.ts build the very same chunks and queries from it.
 */
export class SyntheticText {
  readonly #words: string[];
  readonly #cumulative: Float64Array;
  #state: number;

  /** `vocabularyOf`: share another generator's words (and draw from them with this seed). */
  constructor(size: number, seed: number, vocabularyOf?: SyntheticText) {
    this.#state = seed;
    if (vocabularyOf) {
      this.#words = vocabularyOf.#words;
      this.#cumulative = vocabularyOf.#cumulative;
      return;
    }
    const syllables = [
      'ka',
      'to',
      'ri',
      'ne',
      'lu',
      'sa',
      'mo',
      'vi',
      'de',
      'pa',
      'go',
      'ti',
      'ra',
      'sem',
      'lor',
      'ven',
      'dal',
      'mis',
    ];
    const words = new Set<string>();
    while (words.size < size) {
      const length = 2 + (this.#next() % 3);
      words.add(Array.from({ length }, () => syllables[this.#next() % syllables.length]).join(''));
    }
    this.#words = [...words];
    this.#cumulative = new Float64Array(size);
    let sum = 0;
    for (let rank = 0; rank < size; rank++) this.#cumulative[rank] = sum += 1 / (rank + 1);
    for (let rank = 0; rank < size; rank++) this.#cumulative[rank]! /= sum;
  }

  /** Another stream of text over the same vocabulary (so drawing from it leaves this one's sequence unchanged). */
  sibling(seed: number): SyntheticText {
    return new SyntheticText(0, seed, this);
  }

  chunk(words: number): string {
    return `${Array.from({ length: words }, () => this.#word()).join(' ')}.`;
  }

  /** Four words from the middle of the distribution, as a user's query mixes common and rarer terms. */
  query(): string {
    return Array.from({ length: 4 }, () => this.#words[50 + (this.#next() % 5000)]).join(' ');
  }

  #word(): string {
    const target = (this.#next() % 1_000_000) / 1_000_000;
    let low = 0;
    let high = this.#cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return this.#words[low]!;
  }

  #next(): number {
    // xorshift32
    this.#state ^= this.#state << 13;
    this.#state ^= this.#state >>> 17;
    this.#state ^= this.#state << 5;
    return this.#state >>> 0;
  }
}

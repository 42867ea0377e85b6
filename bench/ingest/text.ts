/**
 * Deterministic English-like prose for the ingestion bench. Words follow Zipf's law over a vocabulary of common
 * English words and 30,000 made-up ones built from syllables, with numbers and punctuation, in paragraphs: what
 * documents give the tokenizer (whose merge cache a small vocabulary would flatter), the chunker's boundary search
 * and the keyword analyzer. Each seed gives different text.
 */
const COMMON = (
  'the of and to in is was for that with as on by at from this be are or it an which have not has had were ' +
  'report quarterly revenue warehouse shipment supplier contract estimate region committee analysis forecast ' +
  'customer invoice payment schedule delivery inventory budget strategy marketing engineering research policy'
).split(' ');
const SYLLABLES = (
  'ka to ri mon sel ver an tic pro gen lu dar fin os ba quen zo li mer tra ex pol dis ment ic al ur im ble ' +
  'cor nat vis fer ples grand shi wel tor ca'
).split(' ');
const INVENTED = 30_000;

/** mulberry32: small, fast and with none of a plain LCG's patterns in the low bits. */
function randomOf(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return (((value ^ (value >>> 14)) >>> 0) % limit) >>> 0;
  };
}

const vocabulary = (() => {
  const next = randomOf(7);
  const words = [...COMMON];
  const seen = new Set(words);
  while (words.length < COMMON.length + INVENTED) {
    const length = 1 + next(4);
    let word = '';
    for (let index = 0; index < length; index++) word += SYLLABLES[next(SYLLABLES.length)];
    if (!seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  }
  return words;
})();

// Zipf (s = 1): the cumulative weights of ranks 1..n, searched by bisection.
const cumulative = (() => {
  const weights = new Float64Array(vocabulary.length);
  let sum = 0;
  for (let rank = 0; rank < vocabulary.length; rank++) {
    sum += 1 / (rank + 1);
    weights[rank] = sum;
  }
  return weights;
})();

function zipfWord(next: (limit: number) => number): string {
  const target = (next(1_000_000) / 1_000_000) * cumulative[cumulative.length - 1]!;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return vocabulary[low]!;
}

/** About `bytes` of text (ASCII, so bytes = characters), the same for the same `seed`. */
export function prose(bytes: number, seed: number): string {
  const next = randomOf(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const sentences = 3 + next(5);
    const paragraph: string[] = [];
    for (let sentence = 0; sentence < sentences; sentence++) {
      const words: string[] = [];
      const count = 8 + next(18);
      for (let index = 0; index < count; index++) {
        const roll = next(40);
        words.push(roll === 0 ? String(next(100_000)) : roll === 1 ? `${next(100)}.${next(10)}%` : zipfWord(next));
      }
      const text = words.join(' ');
      paragraph.push(`${text.charAt(0).toUpperCase()}${text.slice(1)}${next(6) === 0 ? '?' : '.'}`);
    }
    const text = paragraph.join(' ');
    parts.push(text);
    length += text.length + 2;
  }
  return parts.join('\n\n').slice(0, bytes);
}

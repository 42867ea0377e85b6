import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';
import { decoder as sharedDecoder } from 'gpt-tokenizer/esm/BytePairEncodingCore';
import { encodeInPieces } from '../../providers/token-count.js';
import { AUTO_CHUNKING, type ChunkingLimits } from './chunking-strategy.js';

/** One piece of a file as stored and searched. */
export interface Chunk {
  /** Position of the chunk in its file, from 0. */
  index: number;
  text: string;
  /** o200k_base tokens in `text` (≤ the strategy's max_chunk_size_tokens). */
  tokenCount: number;
  /** `analyze(text)`, when the chunker was given an analyzer. */
  terms?: string[];
}

/** A run of live tokens between two word boundaries, decoded and analyzed once for every chunk that holds it. */
interface Piece {
  start: number;
  end: number;
  text: string;
  terms: string[];
}

// Tokens per piece, about: chunks overlap, so their texts are decoded and analyzed piece by piece and each piece
// once; only the part of a piece cut by a chunk's edge is done again for that chunk.
const PIECE_TOKENS = 32;

// Text is tokenized in batches of about this many characters: large enough to amortize the
// tokenizer's per-call cost, small enough to keep memory flat on a 50 MB file.
const TOKENIZE_BATCH_CHARACTERS = 64 * 1024;
// A piece with no word boundary this long (base64, minified code) is cut anyway.
const MAX_PENDING_CHARACTERS = 1024 * 1024;

/** Strength of a place to cut, weakest first. */
const Boundary = { None: 0, Word: 1, Sentence: 2, Line: 3, Paragraph: 4 } as const;
type Boundary = (typeof Boundary)[keyof typeof Boundary];

/**
 * Splits a stream of text into token chunks with overlap, holding at most about one chunk of tokens
 * plus one batch of text. A chunk ends at the strongest boundary (paragraph, line, sentence, word)
 * in its last quarter, never after `maxChunkSizeTokens`; the next one starts `chunkOverlapTokens`
 * before that end, moved forward to a word start.
 */
export class TokenChunker {
  readonly #limits: ChunkingLimits;
  #pendingText = '';
  /** Tokens not yet dropped; the live ones start at `#head` (dropping from the front by slicing is quadratic). */
  #tokens: number[] = [];
  #head = 0;
  /** Live tokens before this offset (from `#head`) already belong to an emitted chunk. */
  #coveredUntil = 0;
  #nextIndex = 0;
  readonly #tokenTexts = new Map<number, string>();
  readonly #analyze: ((text: string) => string[]) | undefined;
  /** Consecutive pieces of the live tokens (offsets from `#head`), each starting and ending at a word boundary. */
  #pieces: Piece[] = [];

  /**
   * `analyze`: gives each chunk its `terms` (keyword terms of its text), worked out piece by piece between word
   * boundaries, where no word is cut, so they equal `analyze(chunk.text)` without analyzing the overlaps twice.
   */
  constructor(limits: ChunkingLimits = AUTO_CHUNKING, analyze?: (text: string) => string[]) {
    this.#limits = { ...limits };
    this.#analyze = analyze;
  }

  /** Adds text; returns the chunks that are now complete. */
  push(text: string): Chunk[] {
    this.#pendingText += text;
    if (this.#pendingText.length < TOKENIZE_BATCH_CHARACTERS) return [];
    const cut = safeCut(this.#pendingText);
    this.#tokenize(this.#pendingText.slice(0, cut));
    this.#pendingText = this.#pendingText.slice(cut);
    return this.#drain(false);
  }

  /** Ends the input; returns the remaining chunks. */
  finish(): Chunk[] {
    const wholeText = this.#nextIndex === 0 && this.#length === 0 ? this.#pendingText : null;
    this.#tokenize(this.#pendingText);
    if (wholeText !== null && this.#length <= this.#limits.maxChunkSizeTokens) {
      // The common small file: one chunk whose text is the input itself, no decoding needed.
      const count = this.#length;
      this.#tokens = [];
      this.#head = 0;
      this.#pendingText = '';
      if (wholeText.trim().length === 0) return [];
      const chunk: Chunk = { index: this.#nextIndex++, text: wholeText, tokenCount: count };
      if (this.#analyze) chunk.terms = this.#analyze(wholeText);
      return [chunk];
    }
    this.#pendingText = '';
    return this.#drain(true);
  }

  /** Live tokens. */
  get #length(): number {
    return this.#tokens.length - this.#head;
  }

  /** The live token at `offset`. */
  #at(offset: number): number | undefined {
    return offset < 0 ? undefined : this.#tokens[this.#head + offset];
  }

  #tokenize(text: string): void {
    if (text.length === 0) return;
    if (this.#head > 0) {
      this.#tokens = this.#tokens.slice(this.#head);
      this.#head = 0;
    }
    // Split first: BPE on a long unbroken run (no spaces) is quadratic.
    for (const token of encodeInPieces(text, encode)) this.#tokens.push(token);
  }

  #drain(final: boolean): Chunk[] {
    const chunks: Chunk[] = [];
    const { maxChunkSizeTokens } = this.#limits;
    // Strictly more than a chunk is needed: the boundary test looks at the token after the cut.
    while (this.#length > maxChunkSizeTokens) {
      const end = this.#chooseEnd();
      this.#emit(0, end, chunks);
      const start = this.#chooseNextStart(end);
      this.#head += start;
      this.#coveredUntil = end - start;
      this.#pieces = this.#pieces.filter((piece) => piece.start >= start);
      for (const piece of this.#pieces) {
        piece.start -= start;
        piece.end -= start;
      }
    }
    if (final && this.#length > this.#coveredUntil) this.#emit(0, this.#length, chunks);
    if (final) {
      this.#tokens = [];
      this.#head = 0;
      this.#pieces = [];
    }
    return chunks;
  }

  #emit(start: number, end: number, chunks: Chunk[]): void {
    if (this.#analyze === undefined) {
      const text = this.#decode(start, end);
      if (text.trim().length === 0) return;
      chunks.push({ index: this.#nextIndex++, text, tokenCount: end - start });
      return;
    }
    const parts = this.#partsOf(start, end);
    const text = parts.length === 1 ? parts[0]!.text : parts.map((part) => part.text).join('');
    if (text.trim().length === 0) return;
    const terms = parts.length === 1 ? parts[0]!.terms : parts.flatMap((part) => part.terms);
    chunks.push({ index: this.#nextIndex++, text, tokenCount: end - start, terms });
  }

  #decode(start: number, end: number): string {
    return decodeTokens(this.#tokens.slice(this.#head + start, this.#head + end));
  }

  /**
   * Tokens `start`..`end` as consecutive parts whose texts and terms, joined, are the whole's: the pieces inside,
   * and the bits before the first and after the last, decoded and analyzed on their own. Every cut between two parts
   * is a piece's edge, a word boundary, so no word (and no character) is split by it.
   */
  #partsOf(start: number, end: number): Array<Pick<Piece, 'text' | 'terms'>> {
    this.#extendPieces(end);
    const inside = this.#pieces.filter((piece) => piece.start >= start && piece.end <= end);
    if (inside.length === 0) return [this.#fragment(start, end)];
    const parts: Array<Pick<Piece, 'text' | 'terms'>> = [];
    if (inside[0]!.start > start) parts.push(this.#fragment(start, inside[0]!.start));
    parts.push(...inside);
    if (inside.at(-1)!.end < end) parts.push(this.#fragment(inside.at(-1)!.end, end));
    return parts;
  }

  #fragment(start: number, end: number): Pick<Piece, 'text' | 'terms'> {
    const text = this.#decode(start, end);
    return { text, terms: this.#analyze!(text) };
  }

  /** Adds pieces until they reach `until` or the tokens run out of word boundaries. */
  #extendPieces(until: number): void {
    let from = this.#pieces.at(-1)?.end ?? this.#nextWordBoundary(0);
    while (from !== undefined && from < until) {
      const to = this.#nextWordBoundary(from + PIECE_TOKENS);
      if (to === undefined) return;
      const text = this.#decode(from, to);
      this.#pieces.push({ start: from, end: to, text, terms: this.#analyze!(text) });
      from = to;
    }
  }

  /** The first live offset from `from` where cutting splits no word, or undefined when none is left. */
  #nextWordBoundary(from: number): number | undefined {
    for (let offset = Math.max(from, 1); offset < this.#length; offset++) {
      if (this.#boundaryBefore(offset) >= Boundary.Word) return offset;
    }
    return undefined;
  }

  #chooseEnd(): number {
    const { maxChunkSizeTokens } = this.#limits;
    const lowest = maxChunkSizeTokens - Math.floor(maxChunkSizeTokens / 4);
    let best = -1;
    let bestStrength: Boundary = Boundary.None;
    for (let cut = maxChunkSizeTokens; cut >= lowest; cut--) {
      const strength = this.#boundaryBefore(cut);
      if (strength > bestStrength) {
        best = cut;
        bestStrength = strength;
      }
    }
    if (best > 0) return best;
    // No word boundary: cut at the limit, stepping back off a split multi-byte character.
    for (let cut = maxChunkSizeTokens; cut > lowest; cut--) if (this.#isCharacterStart(cut)) return cut;
    return maxChunkSizeTokens;
  }

  #chooseNextStart(end: number): number {
    const { chunkOverlapTokens } = this.#limits;
    const start = end - chunkOverlapTokens;
    const latest = start + Math.floor(chunkOverlapTokens / 4);
    for (let candidate = start; candidate <= latest && candidate < end; candidate++) {
      if (this.#boundaryBefore(candidate) >= Boundary.Word) return candidate;
    }
    return start;
  }

  /** How good a place it is to cut just before token `index`. */
  #boundaryBefore(index: number): Boundary {
    const previous = this.#at(index - 1);
    const next = this.#at(index);
    if (previous === undefined || next === undefined) return Boundary.None;
    const after = this.#shape(next);
    if (after & Shape.StartsReplacement) return Boundary.None;
    const before = this.#shape(previous);
    if (before & Shape.EndsParagraph || (before & Shape.EndsNewline && after & Shape.StartsNewline))
      return Boundary.Paragraph;
    if (before & Shape.EndsNewline) return Boundary.Line;
    if (before & Shape.EndsSentence && after & Shape.StartsSpace) return Boundary.Sentence;
    if (after & Shape.StartsSpace || before & Shape.EndsSpace) return Boundary.Word;
    return Boundary.None;
  }

  #isCharacterStart(index: number): boolean {
    const token = this.#at(index);
    return token !== undefined && (this.#shape(token) & Shape.StartsReplacement) === 0;
  }

  /** What the boundary tests need to know of a token's text, worked out once per token id. */
  #shape(token: number): number {
    let shape = token < tokenShapes.length ? (tokenShapes[token] as number) : 0;
    if (shape === 0) {
      shape = shapeOf(this.#tokenText(token));
      if (token < tokenShapes.length) tokenShapes[token] = shape;
    }
    return shape;
  }

  #tokenText(token: number): string {
    let text = this.#tokenTexts.get(token);
    if (text === undefined) {
      text = decodeTokens([token]);
      this.#tokenTexts.set(token, text);
    }
    return text;
  }
}

/** Facts about a token's text, as bits (`Known` set once worked out, so 0 means not yet). */
const Shape = {
  Known: 1,
  StartsReplacement: 2,
  EndsParagraph: 4,
  EndsNewline: 8,
  StartsNewline: 16,
  EndsSentence: 32,
  StartsSpace: 64,
  EndsSpace: 128,
} as const;

// o200k's ids are below 2^18 (cl100k's too): one byte per id, shared by every chunker in the process.
const tokenShapes = new Uint8Array(1 << 18);

function shapeOf(text: string): number {
  let shape: number = Shape.Known;
  if (text.startsWith('\uFFFD')) shape |= Shape.StartsReplacement;
  if (/\n[ \t]*\n[ \t]*$/.test(text)) shape |= Shape.EndsParagraph;
  if (text.endsWith('\n')) shape |= Shape.EndsNewline;
  if (text.startsWith('\n')) shape |= Shape.StartsNewline;
  if (/[.!?。！？]["')\]]?$/.test(text)) shape |= Shape.EndsSentence;
  if (/^\s/.test(text)) shape |= Shape.StartsSpace;
  if (/\s$/.test(text)) shape |= Shape.EndsSpace;
  return shape;
}

/**
 * `decode(tokens)`, with nothing left behind: gpt-tokenizer decodes through one TextDecoder shared by every call,
 * in streaming mode, so the bytes of a character cut off at the end of one call (a token holding half an emoji,
 * decoded alone) came out at the start of the next call's text as U+FFFD, whichever chunk that was. They are
 * dropped here instead, as the call that cut them off drops them.
 */
function decodeTokens(tokens: readonly number[]): string {
  const text = decode(tokens as number[]);
  sharedDecoder.decode();
  return text;
}

/**
 * The last index where the text can be split without changing its tokens: before a space that
 * follows a non-space and precedes a letter or digit, where o200k's pre-tokenizer always splits.
 */
function safeCut(text: string): number {
  for (let index = text.length - 2; index > 0; index--) {
    if (
      text.charCodeAt(index) === 32 &&
      /\S/.test(text.charAt(index - 1)) &&
      /[\p{L}\p{N}]/u.test(text.charAt(index + 1))
    ) {
      return index;
    }
    if (text.length - index > MAX_PENDING_CHARACTERS) break;
  }
  if (text.length < MAX_PENDING_CHARACTERS) return 0;
  // Never split a surrogate pair.
  const cut = text.length - 1;
  return /[\uD800-\uDBFF]/.test(text.charAt(cut - 1)) ? cut - 1 : cut;
}

/** Chunks a whole string. */
export function chunkText(text: string, limits: ChunkingLimits = AUTO_CHUNKING): Chunk[] {
  const chunker = new TokenChunker(limits);
  return [...chunker.push(text), ...chunker.finish()];
}

/** Chunks a stream of text pieces with bounded memory. */
export async function* chunkTextStream(
  pieces: AsyncIterable<string> | Iterable<string>,
  limits: ChunkingLimits = AUTO_CHUNKING,
): AsyncGenerator<Chunk> {
  const chunker = new TokenChunker(limits);
  for await (const piece of pieces) yield* chunker.push(piece);
  yield* chunker.finish();
}

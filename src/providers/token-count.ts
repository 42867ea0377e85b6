import { createRequire } from 'node:module';
import type { ChatMessage, ToolDefinition, UserContentPart } from './chat-model.js';

/**
 * Token counts in the way OpenAI bills prompts, so the run engine can truncate context and enforce
 * `max_prompt_tokens` before calling the model. Exact for OpenAI's text; an estimate for images, tool
 * definitions and other vendors' models (their tokenizers differ, but o200k is within a few percent).
 */
export interface TokenCounter {
  readonly encoding: 'o200k_base' | 'cl100k_base';
  countText(text: string): number;
  /** One message including its framing (`<|start|>role<|message|>...<|end|>`). */
  countMessage(message: ChatMessage): number;
  /** A whole prompt: every message plus the tokens that prime the assistant's reply. */
  countMessages(messages: readonly ChatMessage[]): number;
  /** Tool definitions as the upstream injects them into the prompt (estimate). */
  countTools(tools: readonly ToolDefinition[]): number;
}

interface Encoding {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

// OpenAI cookbook, "How to count tokens with tiktoken": 3 tokens frame every message and 3 prime the reply.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PRIMING_REPLY = 3;
const TOKENS_PER_TOOL_CALL = 3;
// OpenAI's price for one 512×512 tile at high detail plus the base; the real figure depends on image size.
const TOKENS_PER_IMAGE = 765;
// Fixed cost of the tools preamble the upstream adds (cookbook: `func_end` = 12 for gpt-4o).
const TOKENS_TOOLS_PREAMBLE = 12;

// The encodings take 0.1–0.5 s to load, so only the ones a run needs are loaded, on first use.
const require = createRequire(import.meta.url);
const loadedEncodings = new Map<string, Encoding>();

function loadEncoding(name: TokenCounter['encoding']): Encoding {
  let encoding = loadedEncodings.get(name);
  if (encoding === undefined) {
    encoding = require(`gpt-tokenizer/cjs/encoding/${name}`) as Encoding;
    loadedEncodings.set(name, encoding);
  }
  return encoding;
}

/**
 * The longest run of one kind of character (letters, punctuation, whitespace) encoded as one piece.
 * BPE merges inside one pre-token cost time quadratic in its length (measured with gpt-tokenizer: 16,000
 * unbroken letters take 0.2 s, 200 KB would take half a minute). Prose never has runs this long, so its
 * count is exact; a longer run (base64, a minified line, a row of '=') is cut where a pre-tokenizer with
 * a length cap would cut it, which changes its count by about one token per cut.
 */
export const MAX_UNBROKEN_RUN = 256;

/**
 * Cuts `text` into pieces whose encodings, concatenated, are the text's encoding, except that a run of
 * one character kind longer than `maxRun` is split every `maxRun` characters. Linear in the text's length.
 */
export function splitUnbrokenRuns(text: string, maxRun: number = MAX_UNBROKEN_RUN): string[] {
  const pieces: string[] = [];
  let pieceStart = 0;
  let runKind = -1;
  let runLength = 0;
  for (let index = 0; index < text.length; ) {
    const code = text.codePointAt(index) as number;
    const kind = characterKind(code);
    // Digits never form long pre-tokens (both encodings split them into groups of at most three).
    if (kind !== runKind || kind === DIGIT) {
      runKind = kind;
      runLength = 0;
    }
    runLength += 1;
    if (runLength > maxRun) {
      pieces.push(text.slice(pieceStart, index));
      pieceStart = index;
      runLength = 1;
    }
    index += code > 0xffff ? 2 : 1;
  }
  pieces.push(text.slice(pieceStart));
  return pieces;
}

/** `encode(text)` in time linear in the text's length (see `MAX_UNBROKEN_RUN`). */
export function encodeInPieces(text: string, encode: (piece: string) => number[]): number[] {
  const pieces = splitUnbrokenRuns(text);
  if (pieces.length === 1) return encode(text);
  const tokens: number[] = [];
  for (const piece of pieces) for (const token of encode(piece)) tokens.push(token);
  return tokens;
}

/** `count(text)` in time linear in the text's length (see `MAX_UNBROKEN_RUN`). */
export function countInPieces(text: string, count: (piece: string) => number): number {
  const pieces = splitUnbrokenRuns(text);
  if (pieces.length === 1) return count(text);
  return pieces.reduce((sum, piece) => sum + count(piece), 0);
}

const WHITESPACE = 0;
const LETTER = 1;
const DIGIT = 2;
const OTHER = 3;
const ASCII_KINDS = new Uint8Array(128).map((_, code) => {
  if (code === 32 || (code >= 9 && code <= 13)) return WHITESPACE;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return LETTER;
  if (code >= 48 && code <= 57) return DIGIT;
  return OTHER;
});

/** The classes the o200k and cl100k pre-tokenizers split on. */
function characterKind(code: number): number {
  if (code < 128) return ASCII_KINDS[code] as number;
  const character = String.fromCodePoint(code);
  if (/\s/u.test(character)) return WHITESPACE;
  if (/[\p{L}\p{M}]/u.test(character)) return LETTER;
  if (/\p{N}/u.test(character)) return DIGIT;
  return OTHER;
}

/** GPT-3.5 and the original GPT-4 use cl100k; GPT-4o and everything newer (and our guess for others) o200k. */
export function encodingForModel(modelId: string): TokenCounter['encoding'] {
  const id = modelId.toLowerCase();
  if (id.startsWith('gpt-3.5') || id.startsWith('text-embedding-')) return 'cl100k_base';
  if (id.startsWith('gpt-4') && !/^gpt-4(o|\.\d)/.test(id)) return 'cl100k_base';
  return 'o200k_base';
}

// Special-token text in user content (`<|endoftext|>`) is just text to us, not an error.
const COUNT_OPTIONS = { disallowedSpecial: new Set<string>() };

/** The text's token count with `encodingName`, in time linear in its length. */
export function countWithEncoding(encodingName: TokenCounter['encoding'], text: string): number {
  if (text === '') return 0;
  const encoding = loadEncoding(encodingName);
  return countInPieces(text, (piece) => encoding.countTokens(piece, COUNT_OPTIONS));
}

/**
 * A counter for `modelId`'s encoding. `known` holds counts already made (by the token-count pool, off the
 * event loop) for texts it will be asked about; anything else is counted inline.
 */
export function createTokenCounter(modelId: string, known?: ReadonlyMap<string, number>): TokenCounter {
  const encodingName = encodingForModel(modelId);
  const countText = (text: string): number => known?.get(text) ?? countWithEncoding(encodingName, text);

  const countContent = (content: string | readonly UserContentPart[]): number => {
    if (typeof content === 'string') return countText(content);
    return content.reduce((sum, part) => sum + (part.type === 'text' ? countText(part.text) : TOKENS_PER_IMAGE), 0);
  };

  const countMessage = (message: ChatMessage): number => {
    let tokens = TOKENS_PER_MESSAGE + countText(message.role);
    if (message.role === 'assistant') {
      tokens += countText(message.content ?? '');
      for (const call of message.toolCalls ?? []) {
        tokens += TOKENS_PER_TOOL_CALL + countText(call.name) + countText(call.arguments);
      }
    } else {
      tokens += countContent(message.content);
    }
    return tokens;
  };

  return Object.freeze({
    encoding: encodingName,
    countText,
    countMessage,
    countMessages: (messages: readonly ChatMessage[]) =>
      messages.reduce((sum, message) => sum + countMessage(message), TOKENS_PRIMING_REPLY),
    countTools: (tools: readonly ToolDefinition[]) =>
      tools.length === 0
        ? 0
        : tools.reduce((sum, tool) => sum + countText(JSON.stringify(tool)), TOKENS_TOOLS_PREAMBLE),
  });
}

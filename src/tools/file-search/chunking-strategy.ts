import { type ApiError, errors } from '../../errors.js';

/** What the API accepts as `chunking_strategy` (OpenAI: `auto` or `static`). */
export type ChunkingStrategyParam =
  | { type: 'auto' }
  | { type: 'static'; static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number } };

/** A resolved strategy: what the chunker needs. */
export interface ChunkingLimits {
  maxChunkSizeTokens: number;
  chunkOverlapTokens: number;
}

/** OpenAI's documented `auto` strategy. */
export const AUTO_CHUNKING: Readonly<ChunkingLimits> = Object.freeze({
  maxChunkSizeTokens: 800,
  chunkOverlapTokens: 400,
});
export const MIN_CHUNK_SIZE_TOKENS = 100;
export const MAX_CHUNK_SIZE_TOKENS = 4096;

const PARAM = 'chunking_strategy';

/**
 * Validates a request's `chunking_strategy` (absent means `auto`) and returns the limits.
 * Throws an `ApiError` (400) naming the offending parameter; `param` is the strategy's own path
 * (e.g. `chunking_strategy`, or a batch's per-file path).
 */
export function resolveChunkingStrategy(strategy: unknown, param: string = PARAM): ChunkingLimits {
  if (strategy === undefined || strategy === null) return { ...AUTO_CHUNKING };
  if (!isRecord(strategy)) throw typeError(param, 'an object', strategy);
  if (strategy.type === 'auto') return { ...AUTO_CHUNKING };
  if (strategy.type !== 'static') {
    throw errors.invalidChunkingStrategyType(`${param}.type`, strategy.type);
  }
  const settings = strategy.static;
  if (settings === undefined) throw errors.missingParameter(`${param}.static`);
  if (!isRecord(settings)) throw typeError(`${param}.static`, 'an object', settings);
  const maxParam = `${param}.static.max_chunk_size_tokens`;
  const overlapParam = `${param}.static.chunk_overlap_tokens`;
  const maxChunkSizeTokens = requireInteger(settings.max_chunk_size_tokens, maxParam);
  const chunkOverlapTokens = requireInteger(settings.chunk_overlap_tokens, overlapParam);
  if (maxChunkSizeTokens < MIN_CHUNK_SIZE_TOKENS) {
    throw errors.integerBelowMin(maxParam, '>=', MIN_CHUNK_SIZE_TOKENS, maxChunkSizeTokens);
  }
  if (maxChunkSizeTokens > MAX_CHUNK_SIZE_TOKENS) {
    throw errors.integerAboveMax(maxParam, '<=', MAX_CHUNK_SIZE_TOKENS, maxChunkSizeTokens);
  }
  if (chunkOverlapTokens < 0) throw errors.integerBelowMin(overlapParam, '>=', 0, chunkOverlapTokens);
  if (chunkOverlapTokens > maxChunkSizeTokens / 2) {
    throw errors.chunkOverlapTooLarge(overlapParam, Math.floor(maxChunkSizeTokens / 2), chunkOverlapTokens);
  }
  return { maxChunkSizeTokens, chunkOverlapTokens };
}

function requireInteger(value: unknown, param: string): number {
  if (value === undefined) throw errors.missingParameter(param);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(param, 'an integer', value);
  return value;
}

function typeError(param: string, expected: string, value: unknown): ApiError {
  const actual =
    value === null
      ? 'null'
      : Array.isArray(value)
        ? 'an array'
        : typeof value === 'number'
          ? 'a number'
          : `a ${typeof value}`;
  return errors.invalidType(param, expected, actual);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

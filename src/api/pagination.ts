import { errors } from '../errors.js';

export type SortOrder = 'asc' | 'desc';

/** A cursor page request, already validated. `after`/`before` are object ids. */
export interface PageRequest {
  limit: number;
  order: SortOrder;
  after?: string;
  before?: string;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

/** OpenAI's list envelope. An empty page carries `first_id`/`last_id` of `null`, as OpenAI sends. */
export interface ListResponse<T extends { id: string }> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface PageOptions {
  defaultLimit?: number;
  maxLimit?: number;
  allowBefore?: boolean;
}

/** Reads `limit`, `order`, `after`, `before` from a query string object, with OpenAI's bounds and errors. */
export function parsePageRequest(query: Record<string, unknown>, options: PageOptions = {}): PageRequest {
  const { defaultLimit = 20, maxLimit = 100, allowBefore = true } = options;
  const limit = parseLimit(query.limit, defaultLimit, maxLimit);
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw errors.invalidOrder(String(order));
  }
  const request: PageRequest = { limit, order };
  const after = optionalId(query.after, 'after');
  const before = allowBefore ? optionalId(query.before, 'before') : undefined;
  if (after !== undefined) request.after = after;
  if (before !== undefined) request.before = before;
  return request;
}

export function toListResponse<T extends { id: string }>(page: Page<T>): ListResponse<T> {
  return {
    object: 'list',
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.hasMore,
  };
}

function parseLimit(raw: unknown, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw);
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw errors.limitNotInteger(text);
  }
  if (value < 1) throw errors.integerBelowMin('limit', '>=', 1, value);
  if (value > max) throw errors.integerAboveMax('limit', '<=', max, value);
  return value;
}

function optionalId(raw: unknown, param: 'after' | 'before'): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw errors.cursorNotSingleId(param);
  return raw;
}

/**
 * Thrown by a store when a cursor (`after`/`before`) names no object in the listed scope; the HTTP error
 * handler turns it into `errors.unknownCursor`.
 */
export class UnknownCursorError extends Error {
  constructor(
    readonly param: 'after' | 'before',
    readonly id: string,
  ) {
    super(`unknown cursor ${id}`);
  }
}

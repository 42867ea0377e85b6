import { errors } from '../errors.js';
import { type Query, singleQueryValue } from './query-params.js';

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
export function parsePageRequest(query: Query, options: PageOptions = {}): PageRequest {
  const { defaultLimit = 20, maxLimit = 100, allowBefore = true } = options;
  const rawLimit = singleQueryValue(query, 'limit', (got) => errors.invalidType('limit', 'an integer', got));
  const limit = parseLimit(rawLimit, defaultLimit, maxLimit);
  const order = singleQueryValue(query, 'order', (got) => errors.invalidType('order', 'a string', got)) ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw errors.invalidOrder(order);
  }
  const request: PageRequest = { limit, order };
  const after = optionalId(query, 'after');
  const before = allowBefore ? optionalId(query, 'before') : undefined;
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

/** `limit=` (empty) is refused like any other non-integer: a client that sent it meant some number. */
function parseLimit(text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw errors.limitNotInteger(text);
  }
  if (value < 1) throw errors.integerBelowMin('limit', '>=', 1, value);
  if (value > max) throw errors.integerAboveMax('limit', '<=', max, value);
  return value;
}

function optionalId(query: Query, param: 'after' | 'before'): string | undefined {
  const id = singleQueryValue(query, param, () => errors.cursorNotSingleId(param));
  return id === '' ? undefined : id;
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

/** Every item of a cursor-paged list, oldest first (for lists bounded by their owner: a run's steps and messages). */
export async function readAllPages<T extends { id: string }>(
  list: (page: PageRequest) => Promise<{ data: T[]; hasMore: boolean }>,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await list({ limit: 100, order: 'asc', ...(after ? { after } : {}) });
    items.push(...page.data);
    if (!page.hasMore) return items;
    after = page.data.at(-1)!.id;
  }
}

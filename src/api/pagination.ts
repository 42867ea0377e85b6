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
    throw errors.invalidValue('order', `Invalid value: '${String(order)}'. Supported values are: 'asc' and 'desc'.`);
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
    throw errors.invalidValue('limit', `Invalid 'limit': expected an integer, but got '${text}' instead.`, 'invalid_type');
  }
  if (value < 1) {
    throw errors.invalidValue(
      'limit',
      `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
      'integer_below_min_value',
    );
  }
  if (value > max) {
    throw errors.invalidValue(
      'limit',
      `Invalid 'limit': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      'integer_above_max_value',
    );
  }
  return value;
}

function optionalId(raw: unknown, param: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') {
    throw errors.invalidValue(param, `Invalid '${param}': expected a single object id.`, 'invalid_type');
  }
  return raw;
}

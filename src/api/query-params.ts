import { type ApiError, errors } from '../errors.js';

export type Query = Record<string, unknown>;

/** What a query parameter that should hold one value held instead. */
export type NotSingle = 'an array' | 'an object';

/**
 * Reads a query parameter that takes one value. A repeated parameter (`limit=1&limit=2`) arrives as an array; the
 * bracket forms clients use for arrays and objects (`limit[]=1`, `order[a]=b`) arrive under their own keys. Both
 * are refused with `notSingle` instead of being ignored: ignoring them would answer a question nobody asked.
 */
export function singleQueryValue(
  query: Query,
  name: string,
  notSingle: (got: NotSingle) => ApiError,
): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw notSingle('an array');
  const prefix = `${name}[`;
  for (const key of Object.keys(query)) {
    if (key.startsWith(prefix)) throw notSingle(key.startsWith(`${name}[]`) ? 'an array' : 'an object');
  }
  return value === undefined ? undefined : String(value);
}

/** A filter such as `run_id` or `purpose`: one string, or `undefined` when absent or empty. */
export function optionalStringQuery(query: Query, name: string): string | undefined {
  return singleQueryValue(query, name, (got) => errors.invalidType(name, 'a string', got)) || undefined;
}

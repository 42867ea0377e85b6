import { errors } from '../errors.js';

/**
 * Reading the fields of one input item, each failure a 400 naming the field (`input[2].call_id`). The route schema
 * (`INPUT_ITEM_SCHEMA`) checks most of this already; the converter checks again what it copies, so it is safe for
 * any caller.
 */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, param: string): JsonObject {
  if (!isObject(value)) throw errors.invalidType(param, 'an object', describe(value));
  return value;
}

export function requireString(item: JsonObject, name: string, param: string): string {
  const value = item[name];
  if (value === undefined || value === null) throw errors.missingParameter(`${param}.${name}`);
  if (typeof value !== 'string') throw errors.invalidType(`${param}.${name}`, 'a string', describe(value));
  return value;
}

/** A string field that may be absent or null (undefined then). */
export function optionalString(item: JsonObject, name: string, param: string): string | undefined {
  const value = item[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw errors.invalidType(`${param}.${name}`, 'a string', describe(value));
  return value;
}

export function requireArray(item: JsonObject, name: string, param: string): unknown[] {
  const value = item[name];
  if (value === undefined || value === null) throw errors.missingParameter(`${param}.${name}`);
  if (!Array.isArray(value)) throw errors.invalidType(`${param}.${name}`, 'an array', describe(value));
  return value;
}

/** `value`, when it is one of `allowed`; a 400 listing them otherwise. */
export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw errors.unsupportedValue(param, quote(value), listed(allowed));
}

/** `'a', 'b', and 'c'`, as the validator words a list of supported values. */
export function listed(values: readonly string[]): string {
  const quotedValues = values.map((value) => `'${value}'`);
  if (quotedValues.length <= 2) return quotedValues.join(' and ');
  return `${quotedValues.slice(0, -1).join(', ')}, and ${quotedValues.at(-1)}`;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value ?? null);
}

/** "a string", "an array", "null": the JSON type of a value, worded as the validator words it. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

import type { ErrorObject } from 'ajv';
import { type ApiError, errors } from '../errors.js';

/**
 * Turns Ajv's errors for one request into the single error OpenAI would send, with its wording
 * and a `param` naming the offending field (`tools[0].function.name`).
 *
 * Ajv reports one error per failed branch of an `anyOf`/`oneOf`; the most specific (deepest)
 * errors say what is really wrong, and sibling `type`/`enum` errors at that depth are merged so
 * `name: 5` reads "expected a string or null" rather than two errors.
 */
export function toValidationError(
  ajvErrors: readonly ErrorObject[],
  knownTypes: ReadonlySet<string> = new Set(),
  root = '',
): ApiError {
  const propertyNameError = ajvErrors.find((error) => error.keyword === 'propertyNames');
  if (propertyNameError) return propertyNameFailure(propertyNameError, ajvErrors, root);
  const candidates = mostRelevant(ajvErrors, knownTypes);
  const depth = (error: ErrorObject) => error.instancePath.split('/').length;
  const deepest = Math.max(...candidates.map(depth));
  const atDeepest = candidates.filter((error) => depth(error) === deepest);
  const first = atDeepest[0]!;
  const param = paramName(first.instancePath, root);

  switch (first.keyword) {
    case 'required': {
      const missing = (first.params as { missingProperty: string }).missingProperty;
      return errors.missingParameter(joinParam(paramName(first.instancePath, root), missing));
    }
    case 'additionalProperties': {
      const extra = (first.params as { additionalProperty: string }).additionalProperty;
      return errors.unknownParameter(joinParam(paramName(first.instancePath, root), extra));
    }
    case 'type': {
      const expected = unique(atDeepest.filter((e) => e.keyword === 'type').flatMap((e) => typesOf(e)));
      return errors.invalidType(param, listWords(expected.map(article), 'or'), article(jsonType(first.data)));
    }
    case 'enum':
    case 'const': {
      const allowed = unique(
        atDeepest.filter((e) => e.keyword === 'enum' || e.keyword === 'const').flatMap(allowedValues),
      );
      return errors.unsupportedValue(param, quote(first.data), listWords(allowed.map(quote), 'and'));
    }
    case 'maxLength':
    case 'minLength':
    case 'maxItems':
    case 'minItems':
    case 'maxProperties':
    case 'minProperties':
      return lengthError(first, param);
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return rangeError(first, param);
    case 'pattern':
      return errors.patternMismatch(param, (first.params as { pattern: string }).pattern);
    case 'format':
      return errors.invalidFormat(param, (first.params as { format: string }).format);
    default:
      return errors.invalidParameter(param, first.message ?? 'invalid value');
  }
}

/**
 * Drops the errors of union branches that plainly did not apply, so what remains describes the
 * branch the client meant: a branch whose `type` discriminator matched another value, or whose
 * JSON type differs when another branch got further into the value.
 */
function mostRelevant(ajvErrors: readonly ErrorObject[], knownTypes: ReadonlySet<string>): ErrorObject[] {
  let remaining = ajvErrors.filter((error) => !['anyOf', 'oneOf', 'if', 'not'].includes(error.keyword));
  // A `type` value that some branch of the union accepts means that branch failed later, so its
  // errors are the ones worth reporting — provided there are any at or under the same object.
  const isMismatch = (error: ErrorObject) =>
    (error.keyword === 'const' || error.keyword === 'enum') && error.instancePath.endsWith('/type');
  const explained = (error: ErrorObject) => {
    if (!isMismatch(error) || typeof error.data !== 'string' || !knownTypes.has(error.data)) return false;
    const objectPath = error.instancePath.slice(0, -'/type'.length);
    return remaining.some(
      (other) =>
        !isMismatch(other) &&
        branchFitsData(other) &&
        (other.instancePath === objectPath || other.instancePath.startsWith(`${objectPath}/`)),
    );
  };
  const withoutExplained = remaining.filter((error) => !explained(error));
  if (withoutExplained.length > 0) remaining = withoutExplained;
  // A branch for another JSON type (`"auto"` when an object was sent) says nothing useful.
  const fitting = remaining.filter((error) => branchFitsData(error));
  if (fitting.length > 0) remaining = fitting;
  return remaining.length > 0 ? remaining : [...ajvErrors];
}

function branchFitsData(error: ErrorObject): boolean {
  const declared = (error.parentSchema as { type?: string | string[] } | undefined)?.type;
  if (declared === undefined) return true;
  const actual = jsonType(error.data);
  const types = Array.isArray(declared) ? declared : [declared];
  return types.some(
    (type) =>
      type === actual ||
      (type === 'number' && (actual === 'integer' || actual === 'decimal')) ||
      (type === 'integer' && actual === 'integer'),
  );
}

/** A key of a map (metadata) broke the `propertyNames` rule: name the map and the key. */
function propertyNameFailure(error: ErrorObject, all: readonly ErrorObject[], root: string): ApiError {
  const param = paramName(error.instancePath, root);
  const key = String((error.params as { propertyName: string }).propertyName);
  const inner = all.find(
    (candidate) => candidate.keyword === 'maxLength' && candidate.instancePath === error.instancePath,
  );
  const limit = (inner?.params as { limit?: number } | undefined)?.limit;
  return limit === undefined ? errors.invalidKey(param, key) : errors.keyTooLong(param, key, limit);
}

/** Each bound keyword has its own catalog entry, as OpenAI gives each its own code. */
const LENGTH_ERRORS = {
  maxLength: errors.stringTooLong,
  minLength: errors.stringTooShort,
  maxItems: errors.arrayTooLong,
  minItems: errors.arrayTooShort,
  maxProperties: errors.tooManyProperties,
  minProperties: errors.tooFewProperties,
} as const;

function lengthError(error: ErrorObject, param: string): ApiError {
  const limit = (error.params as { limit: number }).limit;
  const keyword = error.keyword as keyof typeof LENGTH_ERRORS;
  const data = error.data as string | unknown[] | object;
  const actual = typeof data === 'string' || Array.isArray(data) ? data.length : Object.keys(data).length;
  return LENGTH_ERRORS[keyword](param, limit, actual);
}

const RANGE_ERRORS = {
  integer: { above: errors.integerAboveMax, below: errors.integerBelowMin },
  decimal: { above: errors.decimalAboveMax, below: errors.decimalBelowMin },
} as const;

function rangeError(error: ErrorObject, param: string): ApiError {
  const { comparison, limit } = error.params as { comparison: string; limit: number };
  const value = error.data as number;
  const direction = comparison.startsWith('<') ? 'above' : 'below';
  return RANGE_ERRORS[Number.isInteger(value) ? 'integer' : 'decimal'][direction](param, comparison, limit, value);
}

/** `/tools/0/function/name` → `tools[0].function.name`. */
export function paramName(pointer: string, root = ''): string {
  let out = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

function joinParam(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

function typesOf(error: ErrorObject): string[] {
  const type = (error.params as { type: string | string[] }).type;
  return (Array.isArray(type) ? type : type.split(',')).map(typeWord);
}

function allowedValues(error: ErrorObject): unknown[] {
  const params = error.params as { allowedValues?: unknown[]; allowedValue?: unknown };
  return params.allowedValues ?? [params.allowedValue];
}

function typeWord(type: string): string {
  return type === 'number' ? 'number' : type === 'null' ? 'null' : type;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'decimal';
  return typeof value;
}

function article(word: string): string {
  if (word === 'null') return 'null';
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function listWords(words: string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words[0] ?? '';
  if (words.length === 2) return `${words[0]} ${conjunction} ${words[1]}`;
  return `${words.slice(0, -1).join(', ')}, ${conjunction} ${words.at(-1)}`;
}

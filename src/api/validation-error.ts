import type { ErrorObject } from 'ajv';
import { ApiError, errors } from '../errors.js';

/**
 * Turns Ajv's errors for one request into the single error OpenAI would send, with its wording
 * and a `param` naming the offending field (`tools[0].function.name`).
 *
 * Ajv reports one error per failed branch of an `anyOf`/`oneOf`; the most specific (deepest)
 * errors say what is really wrong, and sibling `type`/`enum` errors at that depth are merged so
 * `name: 5` reads "expected a string or null" rather than two errors.
 */
export function toValidationError(ajvErrors: readonly ErrorObject[], knownTypes: ReadonlySet<string> = new Set(), root = ''): ApiError {
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
      return errors.invalidValue(
        param,
        `Invalid type for '${param}': expected ${listWords(expected.map(article), 'or')}, but got ${article(jsonType(first.data))} instead.`,
        'invalid_type',
      );
    }
    case 'enum':
    case 'const': {
      const allowed = unique(atDeepest.filter((e) => e.keyword === 'enum' || e.keyword === 'const').flatMap(allowedValues));
      return errors.invalidValue(
        param,
        `Invalid value: ${quote(first.data)}. Supported values are: ${listWords(allowed.map(quote), 'and')}.`,
      );
    }
    case 'maxLength':
    case 'minLength':
      return lengthError(first, param, 'string', 'string');
    case 'maxItems':
    case 'minItems':
      return lengthError(first, param, 'array', 'array');
    case 'maxProperties':
    case 'minProperties':
      return lengthError(first, param, 'object', 'object');
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return rangeError(first, param);
    case 'pattern':
      return errors.invalidValue(
        param,
        `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '${(first.params as { pattern: string }).pattern}'.`,
        'invalid_value',
      );
    case 'format':
      return errors.invalidValue(param, `Invalid '${param}': expected a valid ${(first.params as { format: string }).format}.`);
    default:
      return errors.invalidValue(param, `Invalid '${param}': ${first.message ?? 'invalid value'}.`);
  }
}

/**
 * Drops the errors of union branches that plainly did not apply, so what remains describes the
 * branch the client meant: a branch whose `type` discriminator matched another value, or whose
 * JSON type differs when another branch got further into the value.
 */
function mostRelevant(ajvErrors: readonly ErrorObject[], knownTypes: ReadonlySet<string>): ErrorObject[] {
  let errors = ajvErrors.filter((error) => !['anyOf', 'oneOf', 'if', 'not'].includes(error.keyword));
  // A `type` value that some branch of the union accepts means that branch failed later, so its
  // errors are the ones worth reporting — provided there are any at or under the same object.
  const isMismatch = (error: ErrorObject) =>
    (error.keyword === 'const' || error.keyword === 'enum') && error.instancePath.endsWith('/type');
  const explained = (error: ErrorObject) => {
    if (!isMismatch(error) || typeof error.data !== 'string' || !knownTypes.has(error.data)) return false;
    const objectPath = error.instancePath.slice(0, -'/type'.length);
    return errors.some(
      (other) =>
        !isMismatch(other) &&
        branchFitsData(other) &&
        (other.instancePath === objectPath || other.instancePath.startsWith(`${objectPath}/`)),
    );
  };
  const withoutExplained = errors.filter((error) => !explained(error));
  if (withoutExplained.length > 0) errors = withoutExplained;
  // A branch for another JSON type (`"auto"` when an object was sent) says nothing useful.
  const fitting = errors.filter((error) => branchFitsData(error));
  if (fitting.length > 0) errors = fitting;
  return errors.length > 0 ? errors : [...ajvErrors];
}

function branchFitsData(error: ErrorObject): boolean {
  const declared = (error.parentSchema as { type?: string | string[] } | undefined)?.type;
  if (declared === undefined) return true;
  const actual = jsonType(error.data);
  const types = Array.isArray(declared) ? declared : [declared];
  return types.some((type) => type === actual || (type === 'number' && (actual === 'integer' || actual === 'decimal')) || (type === 'integer' && actual === 'integer'));
}

/** A key of a map (metadata) broke the `propertyNames` rule: name the map and the key. */
function propertyNameFailure(error: ErrorObject, all: readonly ErrorObject[], root: string): ApiError {
  const param = paramName(error.instancePath, root);
  const key = String((error.params as { propertyName: string }).propertyName);
  const inner = all.find((candidate) => candidate.keyword === 'maxLength' && candidate.instancePath === error.instancePath);
  const limit = (inner?.params as { limit?: number } | undefined)?.limit;
  return errors.invalidValue(
    param,
    limit === undefined
      ? `Invalid '${param}': invalid key '${key}'.`
      : `Invalid '${param}': key '${key}' is too long. Expected keys with maximum length ${limit}, but got a key with length ${key.length} instead.`,
    'string_above_max_length',
  );
}

function lengthError(error: ErrorObject, param: string, noun: string, kind: 'string' | 'array' | 'object'): ApiError {
  const limit = (error.params as { limit: number }).limit;
  const isMax = error.keyword.startsWith('max');
  const actual = kind === 'string' ? String(error.data).length : kind === 'array' ? (error.data as unknown[]).length : Object.keys(error.data as object).length;
  const unit = kind === 'object' ? 'properties' : kind === 'array' ? 'length' : 'length';
  const what = kind === 'object' ? (isMax ? 'too many properties' : 'too few properties') : `${noun} too ${isMax ? 'long' : 'short'}`;
  const expectation =
    kind === 'object'
      ? `an object with at ${isMax ? 'most' : 'least'} ${limit} properties, but got an object with ${actual} properties instead`
      : `${article(noun)} with ${isMax ? 'maximum' : 'minimum'} ${unit} ${limit}, but got ${article(noun)} with ${unit} ${actual} instead`;
  const code = `${kind}_${isMax ? 'above_max' : 'below_min'}_${kind === 'object' ? 'properties' : 'length'}`;
  return errors.invalidValue(param, `Invalid '${param}': ${what}. Expected ${expectation}.`, code);
}

function rangeError(error: ErrorObject, param: string): ApiError {
  const { comparison, limit } = error.params as { comparison: string; limit: number };
  const isInteger = Number.isInteger(error.data);
  const kind = isInteger ? 'integer' : 'decimal';
  const above = comparison.startsWith('<');
  return errors.invalidValue(
    param,
    `Invalid '${param}': ${kind} ${above ? 'above maximum' : 'below minimum'} value. Expected a value ${comparison} ${limit}, but got ${String(error.data)} instead.`,
    `${kind}_${above ? 'above_max' : 'below_min'}_value`,
  );
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

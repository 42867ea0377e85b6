import { responsesContract, validateAgainst, withoutResponseDeviations } from './contract-fetch.js';

/**
 * Checks a value against a schema of the Responses contract, and also flags, at any depth, fields the schema does
 * not declare (the spec's objects accept extra properties silently). Composite schemas are followed: `allOf`
 * declares the union of its parts; of an `anyOf`/`oneOf`, the branches whose `type` enum admits the value's
 * `type` (or every object branch when the value has none). Returns the problems, empty when the value conforms.
 * A Response's documented deviations from the pinned contract are accepted in their documented shape only
 * (`withoutResponseDeviations`: `store`, the penalties, `usage: null` while running, `error.type`/`param`, a null
 * json_schema `description`), as `validateAgainst` accepts them.
 */
export function strictResponsesProblems(schemaName: string, value: unknown): string[] {
  const problems = validateAgainst(schemaName, value, responsesContract);
  const { value: compared } = withoutResponseDeviations(value);
  undeclared({ $ref: `#/components/schemas/${schemaName}` }, compared, schemaName, problems);
  return [...new Set(problems)];
}

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  type?: string | string[];
  enum?: unknown[];
};

const schemas = responsesContract.document.components.schemas as Record<string, Schema>;

function resolve(schema: Schema): Schema {
  let current = schema;
  while (current.$ref) {
    const name = current.$ref.split('/').at(-1)!;
    current = { ...schemas[name]!, ...withoutRef(current) };
  }
  return current;
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

/** The object schemas a value may be read against, with composite schemas flattened. */
function branches(schema: Schema, value: Record<string, unknown>): Schema[] {
  const resolved = resolve(schema);
  const parts: Schema[] = [];
  if (resolved.properties || resolved.additionalProperties !== undefined) parts.push(resolved);
  for (const part of resolved.allOf ?? []) parts.push(...branches(part, value));
  const alternatives = [...(resolved.anyOf ?? []), ...(resolved.oneOf ?? [])];
  if (alternatives.length > 0) {
    const candidates = alternatives.flatMap((alternative) => branches(alternative, value));
    const typed = candidates.filter((candidate) => admitsType(candidate, value.type));
    parts.push(...(typed.length > 0 ? typed : candidates));
  }
  return parts;
}

function admitsType(schema: Schema, type: unknown): boolean {
  const declared = schema.properties?.type ? resolve(schema.properties.type) : undefined;
  return typeof type === 'string' && Array.isArray(declared?.enum) && declared.enum.includes(type);
}

function undeclared(schema: Schema, value: unknown, path: string, problems: string[]): void {
  if (Array.isArray(value)) {
    const itemSchemas = arrayItemSchemas(schema);
    if (itemSchemas.length === 0) return;
    for (const [index, item] of value.entries()) {
      const outcomes = itemSchemas.map((itemSchema) => {
        const found: string[] = [];
        undeclared(itemSchema, item, `${path}[${index}]`, found);
        return found;
      });
      problems.push(...outcomes.reduce((fewest, found) => (found.length < fewest.length ? found : fewest)));
    }
    return;
  }
  if (!value || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  const parts = branches(schema, object);
  if (parts.length === 0) return;
  // A map (`additionalProperties`) declares every key.
  if (parts.some((part) => part.additionalProperties !== undefined && part.additionalProperties !== false)) return;
  for (const [key, field] of Object.entries(object)) {
    const declaring = parts.filter((part) => part.properties && key in part.properties);
    if (declaring.length === 0) {
      problems.push(`${path}: undeclared field '${key}'`);
      continue;
    }
    // Where several branches declare the field, it conforms when it does under one of them.
    const outcomes = declaring.map((part) => {
      const found: string[] = [];
      undeclared(part.properties![key]!, field, `${path}.${key}`, found);
      return found;
    });
    const best = outcomes.reduce((fewest, found) => (found.length < fewest.length ? found : fewest));
    problems.push(...best);
  }
}

function arrayItemSchemas(schema: Schema): Schema[] {
  const resolved = resolve(schema);
  if (resolved.items) return [resolved.items];
  return [...(resolved.allOf ?? []), ...(resolved.anyOf ?? []), ...(resolved.oneOf ?? [])].flatMap(arrayItemSchemas);
}

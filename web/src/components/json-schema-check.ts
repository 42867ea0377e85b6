/**
 * Checks a JSON Schema as OpenAI takes one for function parameters and `json_schema` response formats, before it is
 * sent: a problem names where it is (`parameters.properties.city.type`). Not a full meta-schema validation — the
 * keywords people write by hand, checked for the mistakes people make by hand.
 */
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];

export type ParsedJson = { ok: true; value: unknown } | { ok: false; problem: string };

export function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problem: `Not valid JSON: ${(error as Error).message}` };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkJsonSchema(schema: unknown, where: string): string[] {
  if (typeof schema === 'boolean') return [];
  if (!isObject(schema)) return [`${where} must be an object`];
  const problems: string[] = [];
  const { type, properties, required, items, additionalProperties, description } = schema;
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const name of types) {
    if (typeof name !== 'string' || !TYPES.has(name)) {
      problems.push(`${where}.type ${JSON.stringify(name)} is not one of ${[...TYPES].join(', ')}`);
    }
  }
  if (properties !== undefined) {
    if (!isObject(properties)) problems.push(`${where}.properties must be an object`);
    else {
      for (const [name, property] of Object.entries(properties)) {
        problems.push(...checkJsonSchema(property, `${where}.properties.${name}`));
      }
    }
  }
  if (required !== undefined) {
    if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) {
      problems.push(`${where}.required must be an array of property names`);
    } else if (isObject(properties)) {
      for (const name of required) {
        if (!(name in properties)) problems.push(`${where}.required names '${name}', which is not in properties`);
      }
    }
  }
  if (items !== undefined) problems.push(...checkJsonSchema(items, `${where}.items`));
  if (additionalProperties !== undefined && typeof additionalProperties !== 'boolean') {
    problems.push(...checkJsonSchema(additionalProperties, `${where}.additionalProperties`));
  }
  if (description !== undefined && typeof description !== 'string') problems.push(`${where}.description must be text`);
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0)) {
    problems.push(`${where}.enum must be a non-empty array`);
  }
  for (const keyword of SCHEMA_LISTS) {
    const list = schema[keyword];
    if (list === undefined) continue;
    if (!Array.isArray(list)) problems.push(`${where}.${keyword} must be an array of schemas`);
    else {
      for (const [index, item] of list.entries())
        problems.push(...checkJsonSchema(item, `${where}.${keyword}[${index}]`));
    }
  }
  return problems;
}

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const FUNCTION_KEYS = new Set(['name', 'description', 'parameters', 'strict']);

/** A function tool's definition (`{ name, description, parameters, strict }`) as typed in the editor. */
export function checkFunctionDefinition(text: string): { value?: Record<string, unknown>; problems: string[] } {
  const parsed = parseJson(text);
  if (!parsed.ok) return { problems: [parsed.problem] };
  if (!isObject(parsed.value)) return { problems: ['The definition must be a JSON object'] };
  const definition = parsed.value;
  const problems: string[] = [];
  for (const key of Object.keys(definition)) {
    if (!FUNCTION_KEYS.has(key)) problems.push(`Unknown field '${key}' (allowed: ${[...FUNCTION_KEYS].join(', ')})`);
  }
  if (typeof definition.name !== 'string' || !FUNCTION_NAME.test(definition.name)) {
    problems.push('name must be 1 to 64 letters, digits, _ or -');
  }
  if (definition.description !== undefined) {
    if (typeof definition.description !== 'string') problems.push('description must be text');
    else if (definition.description.length > 1024) problems.push('description must be at most 1,024 characters');
  }
  if (definition.strict !== undefined && typeof definition.strict !== 'boolean') {
    problems.push('strict must be true or false');
  }
  if (definition.parameters !== undefined) {
    problems.push(...checkJsonSchema(definition.parameters, 'parameters'));
    const parameters = definition.parameters as { type?: unknown };
    if (isObject(parameters) && parameters.type !== 'object') problems.push("parameters.type must be 'object'");
  }
  return { value: definition, problems };
}

import type { ValidateFunction } from 'ajv';
import { Contract, loadResponsesContractDocument, type OpenApiOperation } from '../../src/api/contract.js';

/** The contract, compiled once per test process. */
export const contract = new Contract();
/** The Responses, Conversations and Containers contract, compiled on its own as the server keeps it apart. */
export const responsesContract = new Contract(loadResponsesContractDocument());

interface Route {
  method: string;
  pattern: RegExp;
  path: string;
  operation: OpenApiOperation;
  contract: Contract;
}

const routes: Route[] = [contract, responsesContract].flatMap((owner) =>
  Object.entries(owner.document.paths).flatMap(([template, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path: template,
      // The same operations are served under OpenAI's prefix and Azure OpenAI's (`AzureOpenAI` calls `/openai/...`).
      pattern: new RegExp(`^/(?:v1|openai)${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      operation,
      contract: owner,
    })),
  ),
);

/** The operation a request hits, or undefined for URLs outside the contract. */
export function findOperation(method: string, pathname: string): Route | undefined {
  return routes.find((route) => route.method === method && route.pattern.test(pathname));
}

/** The component schema name a `$ref` points at. */
function refName(schema: unknown): string | undefined {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref?.split('/').at(-1);
}

/**
 * Checks a JSON response against the contract: 2xx bodies against the operation's 200 schema,
 * errors against `ErrorResponse`. Also flags fields the schema does not declare on the top-level
 * object (and on each item of a list), since the spec's objects allow extra properties silently.
 * Returns a list of problems (empty when the response conforms).
 */
export function checkResponse(method: string, pathname: string, status: number, body: unknown): string[] {
  const route = findOperation(method, pathname);
  if (!route) return [];
  const schemaName =
    status >= 400
      ? 'ErrorResponse'
      : refName(route.operation.responses?.['200']?.content?.['application/json']?.schema);
  if (!schemaName) return [];
  return validateAgainst(schemaName, normalizeEmptyPage(body), route.contract);
}

/**
 * Problems of `body` against a schema of `owner` (the Assistants contract unless told). Response objects (also as
 * the `response` of a stream event) are read without the documented deviations first (`responseDeviations`).
 */
export function validateAgainst(schemaName: string, body: unknown, owner: Contract = contract): string[] {
  const { value, problems: deviations } = withoutResponseDeviations(body);
  return [...deviations, ...validateExactly(schemaName, value, owner)];
}

function validateExactly(schemaName: string, body: unknown, owner: Contract): string[] {
  const validate: ValidateFunction = owner.validator(schemaName);
  const problems: string[] = [];
  if (!validate(body)) {
    problems.push(
      ...(validate.errors ?? []).map(
        (error) => `${schemaName}${error.instancePath} ${error.message} (${error.schemaPath})`,
      ),
    );
  }
  problems.push(...undeclaredFields(schemaName, body, owner));
  return problems;
}

/**
 * The spec makes `first_id`/`last_id` non-nullable strings, which an empty page cannot satisfy;
 * like OpenAI, the server sends `null` there, which is the one deviation accepted here.
 */
function normalizeEmptyPage(body: unknown): unknown {
  const page = body as { object?: string; data?: unknown[]; first_id?: unknown; last_id?: unknown };
  if (
    page?.object === 'list' &&
    Array.isArray(page.data) &&
    page.data.length === 0 &&
    page.first_id === null &&
    page.last_id === null
  ) {
    return { ...page, first_id: '', last_id: '' };
  }
  return body;
}

type Json = Record<string, unknown>;
const isJsonObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where the server's Responses objects follow what OpenAI sends (or the Open Responses spec requires) rather than the
 * pinned contract; these checks accept them, and only in the documented shape (any other value of these fields is
 * still a problem):
 * - `store` (boolean), `presence_penalty` and `frequency_penalty` (numbers) on a Response: OpenAI sends them on every
 *   Response and the Open Responses spec requires them; the pinned `Response` does not declare them.
 * - `usage: null` on a Response that has not completed: OpenAI sends null in the `response.created`/`in_progress`
 *   snapshots (and on failed responses); the pinned schema allows only an object.
 * - `error.type` (string) and `error.param` (null) on a failed Response: the `type`/`param` of OpenAI's API errors,
 *   which the Vercel AI SDK requires there; the pinned `ResponseError` has only `code` and `message`.
 * - `text.format.description: null` on a json_schema format: OpenAI echoes null when the request gave none, the
 *   Open Responses spec requires the field; the pinned schema allows only a string.
 * - `vector_store_id` (string or null) on each result of a `file_search_call` item, wherever the item appears: the
 *   Open Responses spec requires it; neither OpenAI's result nor the pinned schema has it.
 * Returns a copy of the value with those fields taken out (the input is not changed) and the problems of any of them
 * sent in another shape.
 */
export function withoutResponseDeviations(body: unknown): { value: unknown; problems: string[] } {
  const problems: string[] = [];
  const value = normalizeDeviations(body, '', problems);
  return { value, problems };
}

function normalizeDeviations(value: unknown, path: string, problems: string[]): unknown {
  if (Array.isArray(value))
    return value.map((entry, index) => normalizeDeviations(entry, `${path}[${index}]`, problems));
  if (!isJsonObject(value)) return value;
  let object: Json = value;
  if (object.object === 'response') object = withoutDeviationsOfResponse(object, path || 'response', problems);
  if (object.type === 'file_search_call' && Array.isArray(object.results)) {
    object = {
      ...object,
      results: object.results.map((result, index) =>
        withoutVectorStoreId(result, `${path}.results[${index}]`, problems),
      ),
    };
  }
  return Object.fromEntries(
    Object.entries(object).map(([key, field]) => [key, normalizeDeviations(field, `${path}.${key}`, problems)]),
  );
}

function withoutVectorStoreId(result: unknown, path: string, problems: string[]): unknown {
  if (!isJsonObject(result) || !('vector_store_id' in result)) return result;
  const { vector_store_id: vectorStoreId, ...rest } = result;
  if (vectorStoreId === null || typeof vectorStoreId === 'string') return rest;
  problems.push(`${path}.vector_store_id: expected a string or null, got ${JSON.stringify(vectorStoreId)}`);
  return result;
}

function withoutDeviationsOfResponse(response: Json, path: string, problems: string[]): Json {
  const value: Json = { ...response };
  const take = (name: string, accepted: (field: unknown) => boolean, expected: string) => {
    if (!(name in value)) return;
    if (accepted(value[name])) delete value[name];
    else problems.push(`${path}.${name}: expected ${expected}, got ${JSON.stringify(value[name])}`);
  };
  take('store', (field) => typeof field === 'boolean', 'a boolean');
  take('presence_penalty', (field) => typeof field === 'number', 'a number');
  take('frequency_penalty', (field) => typeof field === 'number', 'a number');
  if (value.usage === null) {
    if (value.status === 'completed') problems.push(`${path}.usage: null on a completed response`);
    delete value.usage;
  }
  if (isJsonObject(value.error)) {
    const error: Json = { ...value.error };
    if ('type' in error) {
      if (typeof error.type === 'string') delete error.type;
      else problems.push(`${path}.error.type: expected a string, got ${JSON.stringify(error.type)}`);
    }
    if ('param' in error) {
      if (error.param === null) delete error.param;
      else problems.push(`${path}.error.param: expected null, got ${JSON.stringify(error.param)}`);
    }
    value.error = error;
  }
  const text = value.text;
  if (isJsonObject(text) && isJsonObject(text.format) && text.format.type === 'json_schema') {
    if (text.format.description === null) {
      const { description: _description, ...format } = text.format;
      value.text = { ...text, format };
    }
  }
  return value;
}

function undeclaredFields(schemaName: string, body: unknown, owner: Contract): string[] {
  const schema = owner.document.components.schemas[schemaName] as { properties?: Record<string, unknown> } | undefined;
  if (!schema?.properties || !body || typeof body !== 'object') return [];
  const problems = Object.keys(body)
    .filter((key) => !(key in schema.properties!))
    .map((key) => `${schemaName}: undeclared field '${key}'`);
  const itemSchema = refName((schema.properties.data as { items?: unknown } | undefined)?.items);
  const data = (body as { data?: unknown }).data;
  if (itemSchema && Array.isArray(data)) {
    for (const item of data) problems.push(...undeclaredFields(itemSchema, item, owner));
  }
  return problems;
}

/**
 * A `fetch` for the SDK that checks every JSON response against the contract. A violation turns
 * the response into a 599 carrying the problems, so the SDK call (and the test) fails loudly.
 */
export function contractCheckingFetch(): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.includes('application/json')) return response;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const { pathname } = new URL(url);
    const body: unknown = await response.clone().json();
    const problems = checkResponse(method, pathname, response.status, body);
    if (problems.length === 0) return response;
    return new Response(
      JSON.stringify({
        error: {
          message: `CONTRACT VIOLATION on ${method} ${pathname}: ${problems.join('; ')}`,
          type: 'contract',
          param: null,
          code: null,
        },
      }),
      { status: 599, headers: { 'content-type': 'application/json' } },
    );
  };
}

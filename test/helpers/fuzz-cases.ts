import type { OpenApiDocument } from '../../src/api/contract.js';
import { multipartCases } from './fuzz-multipart.js';
import {
  ExampleBuilder,
  type Overrides,
  type PathStep,
  pathName,
  REMOVE,
  type Schema,
  valueAt,
  valuePaths,
  withValueAt,
} from './fuzz-schema.js';
import { AUTH, BAD_IDS, HOSTILE_STRINGS, JSON_HEADERS, WRONG_TYPES } from './fuzz-values.js';
import type { RawRequest } from './raw-http.js';
import type { SeededRandom } from './seeded-random.js';

/** One operation of the contract, as the fuzzer needs it. */
export interface FuzzOperation {
  operationId: string;
  method: string;
  /** `/threads/{thread_id}/runs`, without the `/v1` prefix. */
  template: string;
  pathParams: string[];
  queryParams: string[];
  body: { type: 'json' | 'multipart'; schema: Schema } | undefined;
}

export type CaseKind =
  | 'path'
  | 'method'
  | 'query'
  | 'body-junk'
  | 'body-missing'
  | 'body-type'
  | 'body-string'
  | 'body-huge';

export interface FuzzCase {
  operationId: string;
  kind: CaseKind;
  /** What was sent, for the failure report. */
  label: string;
  request: RawRequest;
}

export interface FuzzContext {
  document: OpenApiDocument;
  random: SeededRandom;
  /** A real object id for each path parameter name, so a case changes one thing only. */
  ids: Record<string, string>;
  /** Property values that make an example body refer to real objects. */
  overrides: Overrides;
}

type ContractOperation = {
  operationId: string;
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};

/** Every operation of the contract. */
export function contractOperations(document: OpenApiDocument): FuzzOperation[] {
  return Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods as Record<string, ContractOperation>).map(([method, operation]) => {
      const content = operation.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      const multipart = content['multipart/form-data']?.schema;
      return {
        operationId: operation.operationId,
        method: method.toUpperCase(),
        template,
        pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!),
        queryParams: (operation.parameters ?? []).filter((param) => param.in === 'query').map((param) => param.name),
        body: json
          ? { type: 'json' as const, schema: json }
          : multipart
            ? { type: 'multipart' as const, schema: multipart }
            : undefined,
      };
    }),
  );
}

export class CaseBuilder {
  readonly #examples: ExampleBuilder;

  constructor(private readonly context: FuzzContext) {
    this.#examples = new ExampleBuilder(context.document, context.overrides);
  }

  cases(operation: FuzzOperation): FuzzCase[] {
    return [
      ...this.#pathCases(operation),
      ...this.#queryCases(operation),
      ...(operation.body?.type === 'json' ? this.#jsonBodyCases(operation, operation.body.schema) : []),
      ...(operation.body?.type === 'multipart'
        ? multipartCases(operation, this.#path(operation), this.context.random)
        : []),
      ...(operation.method === 'POST' ? this.#junkBodyCases(operation) : []),
    ];
  }

  /** PUT and PATCH exist nowhere in the contract: one of each per path. */
  methodCases(templates: readonly string[]): FuzzCase[] {
    return templates.flatMap((template) =>
      ['PUT', 'PATCH'].map((method) => ({
        operationId: template,
        kind: 'method' as const,
        label: `${method} ${template}`,
        request: { method, path: `/v1${this.#fill(template)}`, headers: AUTH },
      })),
    );
  }

  #path(operation: FuzzOperation, replace?: { name: string; value: string }): string {
    return `/v1${this.#fill(operation.template, replace)}`;
  }

  #fill(template: string, replace?: { name: string; value: string }): string {
    return template.replace(/\{(\w+)\}/g, (_, name: string) =>
      name === replace?.name ? replace.value : this.context.ids[name]!,
    );
  }

  #minimalBody(operation: FuzzOperation): string | undefined {
    if (operation.body?.type !== 'json') return undefined;
    return JSON.stringify(this.#examples.example(operation.body.schema, false));
  }

  #pathCases(operation: FuzzOperation): FuzzCase[] {
    const random = this.context.random;
    const junk = [percentEncode(random.bytes(12)), percentEncode(Buffer.from(random.unicode(8), 'utf8'))];
    return operation.pathParams.flatMap((name) =>
      [...BAD_IDS, ...junk].map((value) => ({
        operationId: operation.operationId,
        kind: 'path' as const,
        label: `${name}=${value.slice(0, 60)}`,
        request: {
          method: operation.method,
          path: this.#path(operation, { name, value }),
          headers: operation.body?.type === 'json' ? JSON_HEADERS : AUTH,
          body: this.#minimalBody(operation),
        },
      })),
    );
  }

  #queryCases(operation: FuzzOperation): FuzzCase[] {
    const values = [
      '',
      'abc',
      '0',
      '-1',
      '1.5',
      '101',
      '10001',
      '1e2',
      '9'.repeat(40),
      '%00',
      '%C3%A4%F0%9F%98%80',
      '%ff',
      'asc',
      'sideways',
      '%201',
      'x'.repeat(300),
    ];
    const queries = operation.queryParams.flatMap((name) => {
      const base = name.replace(/\[\]$/, '');
      return [
        ...values.map((value) => `${name}=${value}`),
        `${base}[]=1`,
        `${base}[a]=b`,
        `${base}=1&${base}=2`,
        `${base}[][]=1`,
      ];
    });
    // An operation that takes nothing at all (`GET /models`) still gets the parameters it does not know.
    const takesNothing = operation.pathParams.length === 0 && operation.body === undefined;
    if (operation.queryParams.length > 0 || takesNothing) {
      queries.push('zzz=1', '__proto__=1', 'constructor[prototype]=1', '&&&=&=');
    }
    return queries.map((query) => ({
      operationId: operation.operationId,
      kind: 'query' as const,
      label: query.slice(0, 80),
      request: {
        method: operation.method,
        path: `${this.#path(operation)}?${query}`,
        headers: operation.body?.type === 'json' ? JSON_HEADERS : AUTH,
        body: this.#minimalBody(operation),
      },
    }));
  }

  /** Bodies that are not the right JSON at all, for every POST (body-less ones included). */
  #junkBodyCases(operation: FuzzOperation): FuzzCase[] {
    const minimal = this.#minimalBody(operation) ?? '{}';
    const bodies: Array<[string, Buffer | string, Record<string, string>]> = [
      ['null', 'null', JSON_HEADERS],
      ['true', 'true', JSON_HEADERS],
      ['number', '1', JSON_HEADERS],
      ['string', '"s"', JSON_HEADERS],
      ['array', '[{}]', JSON_HEADERS],
      ['truncated', '{', JSON_HEADERS],
      ['trailing comma', '{"a":1,}', JSON_HEADERS],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), JSON_HEADERS],
      ['10,000 deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, JSON_HEADERS],
      ['__proto__', '{"__proto__":{"polluted":1}}', JSON_HEADERS],
      ['constructor.prototype', '{"constructor":{"prototype":{"polluted":1}}}', JSON_HEADERS],
      ['duplicate keys', minimal.replace(/^\{/, '{"metadata":{},"metadata":{"k":"v"},'), JSON_HEADERS],
      ['text/plain', minimal, { ...AUTH, 'content-type': 'text/plain' }],
      ['form-encoded', 'a=1', { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' }],
      ['json with a charset', minimal, { ...AUTH, 'content-type': 'application/json; charset=utf-16' }],
    ];
    return bodies.map(([label, body, headers]) => ({
      operationId: operation.operationId,
      kind: 'body-junk' as const,
      label,
      request: { method: 'POST', path: this.#path(operation), headers, body },
    }));
  }

  #jsonBodyCases(operation: FuzzOperation, schema: Schema): FuzzCase[] {
    const minimal = this.#examples.example(schema, false) as Record<string, unknown>;
    const cases: Array<[CaseKind, string, unknown]> = [['body-missing', '{}', {}]];
    for (const key of Object.keys(minimal))
      cases.push(['body-missing', `without ${key}`, withValueAt(minimal, [key], REMOVE)]);
    for (const [property, propertySchema] of this.#examples.bodyProperties(schema)) {
      cases.push(...this.#propertyCases(minimal, property, propertySchema));
    }
    return cases.map(([kind, label, body]) => ({
      operationId: operation.operationId,
      kind,
      label,
      request: { method: operation.method, path: this.#path(operation), headers: JSON_HEADERS, body: toJson(body) },
    }));
  }

  /** Wrong types, removals and hostile strings at every position inside one property, for each shape it may take. */
  #propertyCases(
    minimal: Record<string, unknown>,
    property: string,
    schema: Schema,
  ): Array<[CaseKind, string, unknown]> {
    const random = this.context.random;
    const cases: Array<[CaseKind, string, unknown]> = [];
    for (const variant of this.#examples.richVariants(schema, property)) {
      const body = { ...minimal, [property]: variant };
      const paths: PathStep[][] = [[property], ...valuePaths(body[property], [property])];
      for (const path of paths) {
        const name = pathName(path);
        for (const value of random.sample(WRONG_TYPES, 3))
          cases.push(['body-type', `${name}=${JSON.stringify(value)}`, withValueAt(body, path, value)]);
        if (path.length > 1) cases.push(['body-missing', `without ${name}`, withValueAt(body, path, REMOVE)]);
        const current = valueAt(body, path);
        if (typeof current === 'string') {
          for (const text of random.sample(HOSTILE_STRINGS, 3))
            cases.push(['body-string', `${name}=${JSON.stringify(text)}`, withValueAt(body, path, text)]);
          cases.push(['body-string', `${name}=random`, withValueAt(body, path, random.unicode(32))]);
        }
        if (Array.isArray(current))
          cases.push(['body-huge', `${name}=10,000 items`, withValueAt(body, path, new Array(10_000).fill(0))]);
        if (isEmptyObject(current))
          cases.push(['body-huge', `${name}=nested 10,000 deep`, withValueAt(body, path, { a: DEEP_MARKER })]);
      }
    }
    if (this.#examples.branches(schema).some((branch) => branch.type === 'string')) {
      cases.push(['body-huge', `${property}=1 MB of x`, { ...minimal, [property]: 'x'.repeat(1 << 20) }]);
      cases.push(['body-huge', `${property}=1 MB of emoji`, { ...minimal, [property]: '😀'.repeat(1 << 18) }]);
    }
    return cases;
  }
}

/** A free-form object (function parameters, a JSON schema): the place where anything nests, however deep. */
function isEmptyObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** Stands for 10,000 nested arrays, spliced in as text: a value that deep overflows `JSON.stringify` here too. */
const DEEP_MARKER = 'deeply nested 10,000 levels';

function toJson(body: unknown): string {
  return JSON.stringify(body).replace(JSON.stringify(DEEP_MARKER), `${'['.repeat(10_000)}${']'.repeat(10_000)}`);
}

/** Every byte as `%XX`: random bytes stay random (invalid UTF-8 included), text arrives as its UTF-8. */
function percentEncode(bytes: Buffer): string {
  return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { checkDiscriminatorFirst } from './discriminator-first.js';
import { applyDocumentedLimits } from './documented-limits.js';
import { normalizeNullable } from './normalize-nullable.js';

/** The pinned Assistants v2 subset of OpenAI's official spec, shipped with the server. */
export const CONTRACT_PATH = new URL('../../contract/assistants-v2.openapi.json', import.meta.url);

/**
 * `GET /models` and `GET /models/{model}` from the same pinned spec, kept in their own file so the Assistants
 * subset stays byte for byte what its extractor produced; merged into it by `loadContractDocument`.
 */
export const MODELS_CONTRACT_PATH = new URL('../../contract/models.openapi.json', import.meta.url);

/**
 * The Responses, Conversations and Containers operations of the same pinned spec
 * (scripts/extract-responses-contract.mjs), compiled as a contract of their own: its schemas and
 * discriminators never change how Assistants requests are validated.
 */
export const RESPONSES_CONTRACT_PATH = new URL('../../contract/responses.openapi.json', import.meta.url);

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown> };
}

export interface OpenApiOperation {
  operationId: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

/** The `$id` under which the spec's components are registered; refer to a schema as `oai#/components/schemas/X`. */
export const CONTRACT_ID = 'oai';

export function schemaRef(name: string): { $ref: string } {
  return { $ref: `${CONTRACT_ID}#/components/schemas/${name}` };
}

/** The `$id` of the Responses contract's components (`Contract.addResponses`), apart from the Assistants ones. */
export const RESPONSES_CONTRACT_ID = 'oai-responses';

/** A schema of the Responses contract (Responses, Conversations, Containers), for route validation. */
export function responsesSchemaRef(name: string): { $ref: string } {
  return { $ref: `${RESPONSES_CONTRACT_ID}#/components/schemas/${name}` };
}

/**
 * The contract compiled once: every component schema, with the spec's OAS-3.0 `nullable` converted
 * and the limits OpenAI documents in prose (metadata sizes, function names) added as real keywords.
 */
export class Contract {
  readonly document: OpenApiDocument;
  readonly ajv: Ajv2020;
  /** Every value a `type` discriminator accepts somewhere in the contract (`function`, `json_schema`, ...). */
  readonly discriminatorValues: ReadonlySet<string>;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument = loadContractDocument()) {
    this.document = document;
    // `allErrors: false`: validation stops at the first failed keyword of each branch, so an over-long array is
    // refused at its `maxItems` instead of after checking every item (10,000 bad tools took seconds). `anyOf`
    // and `oneOf` still report one error per branch, which is what the wording in validation-error.ts needs.
    this.ajv = new Ajv2020({ strict: false, allErrors: false, verbose: true, coerceTypes: false, useDefaults: false });
    const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
    addFormats(this.ajv);
    for (const format of ['unixtime', 'binary', 'int64']) this.ajv.addFormat(format, true);
    const components = prepareComponents(document);
    this.discriminatorValues = collectDiscriminatorValues(components);
    this.ajv.addSchema({ $id: CONTRACT_ID, components: checkDiscriminatorFirst(components) });
  }

  /**
   * Adds the Responses contract's components under their own `$id` (`responsesSchemaRef`), so one validator
   * compiler serves both APIs while neither's schemas or discriminators reach into the other's.
   */
  addResponses(document: OpenApiDocument = loadResponsesContractDocument()): this {
    const components = prepareComponents(document);
    for (const value of collectDiscriminatorValues(components)) (this.discriminatorValues as Set<string>).add(value);
    this.ajv.addSchema({ $id: RESPONSES_CONTRACT_ID, components: checkDiscriminatorFirst(components) });
    return this;
  }

  /** A validator for any JSON schema, which may `$ref` the contract's components. */
  compile(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let validator = this.#validators.get(key);
    if (!validator) {
      validator = this.ajv.compile(schema);
      this.#validators.set(key, validator);
    }
    return validator;
  }

  validator(schemaName: string): ValidateFunction {
    return this.compile(schemaRef(schemaName));
  }
}

export function loadContractDocument(): OpenApiDocument {
  const assistants = JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as OpenApiDocument;
  const models = JSON.parse(readFileSync(MODELS_CONTRACT_PATH, 'utf8')) as OpenApiDocument;
  return {
    ...assistants,
    paths: { ...assistants.paths, ...models.paths },
    components: {
      ...assistants.components,
      schemas: { ...assistants.components.schemas, ...models.components.schemas },
    },
  };
}

export function loadResponsesContractDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(RESPONSES_CONTRACT_PATH, 'utf8')) as OpenApiDocument;
}

function prepareComponents(document: OpenApiDocument): OpenApiDocument['components'] {
  return applyDocumentedLimits(normalizeNullable(document.components) as OpenApiDocument['components']);
}

function collectDiscriminatorValues(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) collectDiscriminatorValues(item, found);
  } else if (node && typeof node === 'object') {
    const typeProperty = (node as { properties?: { type?: { enum?: unknown[]; const?: unknown } } }).properties?.type;
    for (const value of [...(typeProperty?.enum ?? []), typeProperty?.const]) {
      if (typeof value === 'string') found.add(value);
    }
    for (const value of Object.values(node)) collectDiscriminatorValues(value, found);
  }
  return found;
}

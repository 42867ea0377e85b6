import { readFileSync } from 'node:fs';

/** The models config file (`MODELS_CONFIG`); documented in docs/providers.md. */
export interface ModelsConfig {
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** First matching rule wins. */
  readonly models: readonly ModelRoute[];
  /** Provider for models no rule matches; defaults to the built-in `openai`. */
  readonly default?: string;
  /** `null` turns embeddings off (file search falls back to keywords). */
  readonly embeddings?: EmbeddingsConfig | null;
}

export type ProviderType = 'openai-compatible' | 'anthropic' | 'google';

export interface ProviderConfig {
  readonly type: ProviderType;
  readonly baseURL?: string;
  /** Literal key; prefer `apiKeyEnv` so the file holds no secret. */
  readonly apiKey?: string;
  /** Name of the environment variable holding the key. */
  readonly apiKeyEnv?: string;
}

export interface ModelRoute {
  /** Model id pattern; `*` matches any run of characters, matching ignores case. */
  readonly match: string;
  readonly provider: string;
  /** Model id to send upstream instead of the requested one. */
  readonly model?: string;
}

export interface EmbeddingsConfig {
  readonly provider: string;
  readonly model: string;
  readonly dimensions: number;
}

export class ModelsConfigError extends Error {
  constructor(source: string, detail: string) {
    super(`Invalid models config ${source}: ${detail}`);
    this.name = 'ModelsConfigError';
  }
}

const PROVIDER_TYPES: readonly string[] = ['openai-compatible', 'anthropic', 'google'];
export const BUILT_IN_PROVIDER = 'openai';

/** Reads and validates the file at `path`; every problem names the file and the field. */
export function loadModelsConfig(path: string): ModelsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ModelsConfigError(path, `cannot read the file (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelsConfigError(path, `not valid JSON (${(error as Error).message})`);
  }
  return parseModelsConfig(value, path);
}

export function parseModelsConfig(value: unknown, source = '(inline)'): ModelsConfig {
  const fail = (detail: string): never => {
    throw new ModelsConfigError(source, detail);
  };
  const root = expectObject(value, 'the top level', fail);
  for (const key of Object.keys(root)) {
    if (!['providers', 'models', 'default', 'embeddings'].includes(key)) fail(`unknown field '${key}'`);
  }
  const providers: Record<string, ProviderConfig> = {};
  for (const [name, entry] of Object.entries(expectObject(root.providers ?? {}, 'providers', fail))) {
    providers[name] = parseProvider(expectObject(entry, `providers.${name}`, fail), `providers.${name}`, fail);
  }
  const knownProvider = (name: unknown, field: string): string => {
    if (typeof name !== 'string') return fail(`${field} must be a provider name`);
    if (providers[name] === undefined && name !== BUILT_IN_PROVIDER) {
      fail(`${field} names provider '${name}', which is not defined in providers`);
    }
    return name;
  };
  if (root.models !== undefined && !Array.isArray(root.models)) fail('models must be an array');
  const models = ((root.models ?? []) as unknown[]).map((entry, index) => {
    const field = `models[${index}]`;
    const route = expectObject(entry, field, fail);
    if (typeof route.match !== 'string' || route.match === '') fail(`${field}.match must be a non-empty string`);
    if (route.model !== undefined && (typeof route.model !== 'string' || route.model.includes('*'))) {
      fail(`${field}.model must be a model id without '*'`);
    }
    return {
      match: route.match as string,
      provider: knownProvider(route.provider, `${field}.provider`),
      model: route.model as string | undefined,
    };
  });
  const defaultProvider = root.default === undefined ? undefined : knownProvider(root.default, 'default');
  const embeddings =
    root.embeddings === undefined || root.embeddings === null
      ? (root.embeddings as null | undefined)
      : parseEmbeddings(expectObject(root.embeddings, 'embeddings', fail), providers, knownProvider, fail);
  return Object.freeze({ providers, models, default: defaultProvider, embeddings });
}

function parseProvider(entry: Record<string, unknown>, field: string, fail: (detail: string) => never): ProviderConfig {
  if (typeof entry.type !== 'string' || !PROVIDER_TYPES.includes(entry.type)) {
    fail(`${field}.type must be one of ${PROVIDER_TYPES.join(', ')}`);
  }
  for (const key of ['baseURL', 'apiKey', 'apiKeyEnv'] as const) {
    if (entry[key] !== undefined && (typeof entry[key] !== 'string' || entry[key] === '')) {
      fail(`${field}.${key} must be a non-empty string`);
    }
  }
  if (typeof entry.baseURL === 'string' && !URL.canParse(entry.baseURL)) fail(`${field}.baseURL is not a URL`);
  if (entry.type === 'openai-compatible' && entry.baseURL === undefined) fail(`${field}.baseURL is required`);
  return entry as unknown as ProviderConfig;
}

function parseEmbeddings(
  entry: Record<string, unknown>,
  providers: Record<string, ProviderConfig>,
  knownProvider: (name: unknown, field: string) => string,
  fail: (detail: string) => never,
): EmbeddingsConfig {
  const provider = knownProvider(entry.provider, 'embeddings.provider');
  if ((providers[provider]?.type ?? 'openai-compatible') !== 'openai-compatible') {
    fail(`embeddings.provider must be an openai-compatible provider, '${provider}' is not`);
  }
  if (typeof entry.model !== 'string' || entry.model === '') fail('embeddings.model must be a non-empty string');
  const dimensions = entry.dimensions;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > 8192) {
    fail('embeddings.dimensions must be an integer between 1 and 8192');
  }
  return { provider, model: entry.model as string, dimensions: dimensions as number };
}

function expectObject(value: unknown, field: string, fail: (detail: string) => never): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${field} must be an object`);
  return value as Record<string, unknown>;
}

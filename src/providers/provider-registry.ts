import { createAnthropicChatModel } from './anthropic.js';
import type { ChatModel } from './chat-model.js';
import { createOpenAICompatibleEmbeddingModel, type EmbeddingModel } from './embedding-model.js';
import { createGoogleChatModel } from './google.js';
import { fetchUpstreamModels, type ModelEntry } from './list-models.js';
import {
  BUILT_IN_PROVIDER,
  loadModelsConfig,
  type ModelsConfig,
  ModelsConfigError,
  type ProviderConfig,
} from './models-config.js';
import { createOpenAICompatibleChatModel } from './openai-compatible.js';

export interface ProviderRegistrySettings {
  /** Path of the models config file (`MODELS_CONFIG`); without it every model goes to the built-in provider. */
  readonly modelsConfigPath?: string;
  /** An already parsed config; wins over `modelsConfigPath`. */
  readonly modelsConfig?: ModelsConfig;
  /** The built-in `openai` provider (`OPENAI_BASE_URL`, `OPENAI_API_KEY`). */
  readonly openaiBaseURL: string;
  readonly openaiApiKey?: string;
  /** Embeddings on the built-in provider when the file does not configure them; none without a model. */
  readonly embeddingModel?: string;
  readonly embeddingDimensions?: number;
  /** Where `apiKeyEnv` names are looked up; the caller passes `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch?: typeof globalThis.fetch;
}

export interface ProviderRegistry {
  /** The chat model serving `modelId` (the id an assistant or run names). */
  chatModel(modelId: string): ChatModel;
  /** `undefined` when embeddings are not configured; file search then works on keywords alone. */
  embeddingModel(): EmbeddingModel | undefined;
  /**
   * The models runs can use, by id: every `MODELS_CONFIG` rule naming one model (no `*`), then what the default
   * provider's `GET /models` lists when it is OpenAI-compatible and answers.
   */
  listModels(): Promise<ModelEntry[]>;
  /** A listed model, or one a `*` rule of `MODELS_CONFIG` routes; `undefined` otherwise. */
  findModel(modelId: string): Promise<ModelEntry | undefined>;
}

interface ResolvedProvider extends ProviderConfig {
  readonly name: string;
  readonly resolvedApiKey: string | undefined;
}

/** Builds the routing table once; throws `ModelsConfigError` for a bad file or a missing API key. */
export function createProviderRegistry(settings: ProviderRegistrySettings): ProviderRegistry {
  const source = settings.modelsConfigPath ?? '(inline)';
  const config =
    settings.modelsConfig ??
    (settings.modelsConfigPath === undefined ? undefined : loadModelsConfig(settings.modelsConfigPath));
  const providers = resolveProviders(config, settings, source);
  const routes = (config?.models ?? []).map((route) => ({ ...route, pattern: globToRegExp(route.match) }));
  const defaultProvider = config?.default ?? BUILT_IN_PROVIDER;
  const chatModels = new Map<string, ChatModel>();
  const embeddingModel = buildEmbeddingModel(config, settings, providers);
  const loadedAt = Math.floor(Date.now() / 1000);
  const configured = (route: (typeof routes)[number], id: string): ModelEntry => ({
    id,
    created: loadedAt,
    ownedBy: route.provider,
  });
  const upstream = providers.get(defaultProvider) as ResolvedProvider;
  const listModels = async (): Promise<ModelEntry[]> => {
    const listed = routes.filter((route) => !route.match.includes('*')).map((route) => configured(route, route.match));
    if (upstream.type === 'openai-compatible') {
      const upstreamModels = await fetchUpstreamModels({
        baseURL: upstream.baseURL as string,
        apiKey: upstream.resolvedApiKey,
        fetch: settings.fetch ?? globalThis.fetch,
        timeoutMs: 5_000,
      });
      listed.push(...upstreamModels);
    }
    const seen = new Set<string>();
    return listed.filter((model) => !seen.has(model.id) && seen.add(model.id));
  };

  return Object.freeze({
    chatModel(modelId: string): ChatModel {
      let model = chatModels.get(modelId);
      if (model === undefined) {
        const route = routes.find((candidate) => candidate.pattern.test(modelId));
        const provider = providers.get(route?.provider ?? defaultProvider) as ResolvedProvider;
        model = buildChatModel(provider, route?.model ?? modelId, settings.fetch);
        chatModels.set(modelId, model);
      }
      return model;
    },
    embeddingModel: () => embeddingModel,
    listModels,
    async findModel(modelId: string): Promise<ModelEntry | undefined> {
      const listed = (await listModels()).find((model) => model.id === modelId);
      if (listed !== undefined) return listed;
      const route = routes.find((candidate) => candidate.match.includes('*') && candidate.pattern.test(modelId));
      return route === undefined ? undefined : configured(route, modelId);
    },
  });
}

function resolveProviders(
  config: ModelsConfig | undefined,
  settings: ProviderRegistrySettings,
  source: string,
): Map<string, ResolvedProvider> {
  const providers = new Map<string, ResolvedProvider>();
  providers.set(BUILT_IN_PROVIDER, {
    name: BUILT_IN_PROVIDER,
    type: 'openai-compatible',
    baseURL: settings.openaiBaseURL,
    resolvedApiKey: settings.openaiApiKey,
  });
  for (const [name, provider] of Object.entries(config?.providers ?? {})) {
    let resolvedApiKey = provider.apiKey;
    if (provider.apiKeyEnv !== undefined) {
      resolvedApiKey = settings.env[provider.apiKeyEnv];
      if (resolvedApiKey === undefined || resolvedApiKey === '') {
        const detail = `providers.${name}.apiKeyEnv: environment variable ${provider.apiKeyEnv} is not set`;
        throw new ModelsConfigError(source, detail);
      }
    }
    if (provider.type !== 'openai-compatible' && resolvedApiKey === undefined) {
      throw new ModelsConfigError(source, `providers.${name} (${provider.type}) needs apiKey or apiKeyEnv`);
    }
    providers.set(name, { ...provider, name, resolvedApiKey });
  }
  return providers;
}

function buildChatModel(
  provider: ResolvedProvider,
  modelId: string,
  fetch: typeof globalThis.fetch | undefined,
): ChatModel {
  const common = { modelId, providerName: provider.name, fetch, baseURL: provider.baseURL };
  // Validation guarantees a baseURL for openai-compatible providers and a key for the other two.
  const apiKey = provider.resolvedApiKey as string;
  switch (provider.type) {
    case 'openai-compatible':
      return createOpenAICompatibleChatModel({ ...common, baseURL: common.baseURL as string, apiKey });
    case 'anthropic':
      return createAnthropicChatModel({ ...common, apiKey });
    case 'google':
      return createGoogleChatModel({ ...common, apiKey });
  }
}

function buildEmbeddingModel(
  config: ModelsConfig | undefined,
  settings: ProviderRegistrySettings,
  providers: Map<string, ResolvedProvider>,
): EmbeddingModel | undefined {
  if (config?.embeddings === null) return undefined;
  const builtIn =
    settings.embeddingModel === undefined
      ? undefined
      : {
          provider: BUILT_IN_PROVIDER,
          model: settings.embeddingModel,
          dimensions: settings.embeddingDimensions ?? 256,
        };
  const embeddings = config?.embeddings ?? builtIn;
  if (embeddings === undefined) return undefined;
  const provider = providers.get(embeddings.provider) as ResolvedProvider;
  return createOpenAICompatibleEmbeddingModel({
    baseURL: provider.baseURL as string,
    apiKey: provider.resolvedApiKey,
    modelId: embeddings.model,
    dimensions: embeddings.dimensions,
    fetch: settings.fetch,
  });
}

/** `claude-*` → /^claude-.*$/i; every other character is literal. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'i');
}

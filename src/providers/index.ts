export { type AnthropicChatModelSettings, createAnthropicChatModel } from './anthropic.js';
export type {
  AssistantMessage,
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatStreamPart,
  FinishReason,
  ImageContentPart,
  JSONSchema,
  ReasoningEffort,
  ResponseFormat,
  SystemMessage,
  TextContentPart,
  TokenUsage,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  ToolMessage,
  UserContentPart,
  UserMessage,
} from './chat-model.js';
export {
  createOpenAICompatibleEmbeddingModel,
  type EmbeddingModel,
  type OpenAICompatibleEmbeddingModelSettings,
} from './embedding-model.js';
export { createGoogleChatModel, type GoogleChatModelSettings } from './google.js';
export { fetchUpstreamModels, type ModelEntry } from './list-models.js';
export { type ContextWindowOptions, contextWindowOf, DEFAULT_CONTEXT_WINDOW } from './model-context.js';
export {
  type EmbeddingsConfig,
  loadModelsConfig,
  type ModelRoute,
  type ModelsConfig,
  ModelsConfigError,
  type ProviderConfig,
  type ProviderType,
  parseModelsConfig,
} from './models-config.js';
export { createOpenAICompatibleChatModel, type OpenAICompatibleChatModelSettings } from './openai-compatible.js';
export { ProviderError, type ProviderErrorCode, type ProviderErrorOptions, toProviderError } from './provider-error.js';
export {
  createProviderRegistry,
  type ProviderRegistry,
  type ProviderRegistrySettings,
} from './provider-registry.js';
export { type RetryOptions, streamWithRetry } from './retry.js';
export { createTokenCounter, encodingForModel, type TokenCounter } from './token-count.js';
export { createTokenCountPool, type TokenCountPool, TokenCountUnavailableError } from './token-count-pool.js';
export { generateToolCallId } from './tool-call-id.js';

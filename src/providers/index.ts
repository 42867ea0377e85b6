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
export { ProviderError, toProviderError, type ProviderErrorCode, type ProviderErrorOptions } from './provider-error.js';
export { streamWithRetry, type RetryOptions } from './retry.js';
export { createOpenAICompatibleChatModel, type OpenAICompatibleChatModelSettings } from './openai-compatible.js';
export { createAnthropicChatModel, type AnthropicChatModelSettings } from './anthropic.js';
export { createGoogleChatModel, type GoogleChatModelSettings } from './google.js';
export {
  createOpenAICompatibleEmbeddingModel,
  type EmbeddingModel,
  type OpenAICompatibleEmbeddingModelSettings,
} from './embedding-model.js';
export {
  createProviderRegistry,
  type ProviderRegistry,
  type ProviderRegistrySettings,
} from './provider-registry.js';
export {
  loadModelsConfig,
  parseModelsConfig,
  ModelsConfigError,
  type EmbeddingsConfig,
  type ModelRoute,
  type ModelsConfig,
  type ProviderConfig,
  type ProviderType,
} from './models-config.js';
export { contextWindowOf, DEFAULT_CONTEXT_WINDOW, type ContextWindowOptions } from './model-context.js';
export { createTokenCounter, encodingForModel, type TokenCounter } from './token-count.js';
export { createTokenCountPool, type TokenCountPool } from './token-count-pool.js';
export { generateToolCallId } from './tool-call-id.js';

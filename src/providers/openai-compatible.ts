import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ChatModel, ChatRequest, ChatStreamPart } from './chat-model.js';
import { streamLanguageModel } from './stream-language-model.js';
import { toLanguageModelCallOptions } from './to-language-model-call-options.js';

export interface OpenAICompatibleChatModelSettings {
  /** e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1`; `/chat/completions` is appended. */
  readonly baseURL: string;
  readonly apiKey?: string;
  readonly modelId: string;
  /** Name reported as `ChatModel.provider`; defaults to `openai-compatible`. */
  readonly providerName?: string;
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * The SDK's provider-options key. Keys under it that the SDK does not know are copied verbatim into the
 * request body (`getArgs` in `@ai-sdk/openai-compatible`), which is its documented way to send fields
 * it has no setting for, such as `parallel_tool_calls`.
 */
const OPTIONS_KEY = 'openaiCompatible';

export function createOpenAICompatibleChatModel(settings: OpenAICompatibleChatModelSettings): ChatModel {
  const provider = createOpenAICompatible({
    name: OPTIONS_KEY,
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    fetch: settings.fetch,
    // Without this the SDK omits `stream_options.include_usage` and upstreams report no token usage.
    includeUsage: true,
    // Send `response_format: json_schema` when a schema is given instead of degrading to `json_object`.
    supportsStructuredOutputs: true,
    transformRequestBody: renameMaxTokensForReasoningModels,
  });
  const languageModel: LanguageModelV3 = provider.chatModel(settings.modelId);
  return Object.freeze({
    provider: settings.providerName ?? 'openai-compatible',
    modelId: settings.modelId,
    // A generator, so that even request-conversion errors surface while iterating, like upstream errors.
    async *stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamPart> {
      const callOptions = toLanguageModelCallOptions(request, signal);
      callOptions.providerOptions = { [OPTIONS_KEY]: openAICompatibleOptions(request) };
      yield* streamLanguageModel(languageModel, callOptions, signal);
    },
  });
}

/**
 * The SDK always sends `max_tokens`, which OpenAI's reasoning models (o1, o3, o4, gpt-5) reject with a 400
 * asking for `max_completion_tokens`. Other upstreams (vLLM, Ollama) know `max_tokens`, so only those ids change.
 */
function renameMaxTokensForReasoningModels(body: Record<string, unknown>): Record<string, unknown> {
  if (body.max_tokens === undefined || typeof body.model !== 'string' || !/^(o\d|gpt-5)/.test(body.model)) return body;
  const { max_tokens: maxTokens, ...rest } = body;
  return { ...rest, max_completion_tokens: maxTokens };
}

function openAICompatibleOptions(request: ChatRequest): Record<string, string | boolean> {
  const options: Record<string, string | boolean> = {};
  const format = request.responseFormat;
  // The SDK defaults `json_schema.strict` to true; OpenAI's default is false, so pass the client's choice.
  if (format?.type === 'json_schema') options.strictJsonSchema = format.strict ?? false;
  if (request.reasoningEffort !== undefined) options.reasoningEffort = request.reasoningEffort;
  // OpenAI rejects `parallel_tool_calls` without tools, so only send it alongside them.
  if (request.parallelToolCalls !== undefined && request.tools !== undefined && request.tools.length > 0) {
    options.parallel_tool_calls = request.parallelToolCalls;
  }
  return options;
}

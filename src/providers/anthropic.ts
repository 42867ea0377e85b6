import { createAnthropic } from '@ai-sdk/anthropic';
import type { ChatModel, ChatRequest, ChatStreamPart } from './chat-model.js';
import { streamLanguageModel } from './stream-language-model.js';
import { toLanguageModelCallOptions } from './to-language-model-call-options.js';

export interface AnthropicChatModelSettings {
  /** Defaults to `https://api.anthropic.com/v1`; `/messages` is appended. */
  readonly baseURL?: string;
  readonly apiKey: string;
  readonly modelId: string;
  /** Name reported as `ChatModel.provider`; defaults to `anthropic`. */
  readonly providerName?: string;
  readonly fetch?: typeof globalThis.fetch;
}

export function createAnthropicChatModel(settings: AnthropicChatModelSettings): ChatModel {
  const provider = createAnthropic({ baseURL: settings.baseURL, apiKey: settings.apiKey, fetch: settings.fetch });
  const languageModel = provider.languageModel(settings.modelId);
  return Object.freeze({
    provider: settings.providerName ?? 'anthropic',
    modelId: settings.modelId,
    // A generator, so that even request-conversion errors surface while iterating, like upstream errors.
    async *stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamPart> {
      const callOptions = toLanguageModelCallOptions(request, signal);
      // Anthropic has no `parallel_tool_calls`; its equivalent is `tool_choice.disable_parallel_tool_use`.
      if (request.parallelToolCalls === false) {
        callOptions.providerOptions = { anthropic: { disableParallelToolUse: true } };
      }
      yield* streamLanguageModel(languageModel, callOptions, signal);
    },
  });
}

import { createGoogleGenerativeAI } from '@ai-sdk/google';
import type { ChatModel, ChatRequest, ChatStreamPart } from './chat-model.js';
import { streamLanguageModel } from './stream-language-model.js';
import { toLanguageModelCallOptions } from './to-language-model-call-options.js';

export interface GoogleChatModelSettings {
  /** Defaults to `https://generativelanguage.googleapis.com/v1beta`. */
  readonly baseURL?: string;
  readonly apiKey: string;
  readonly modelId: string;
  /** Name reported as `ChatModel.provider`; defaults to `google`. */
  readonly providerName?: string;
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * Gemini over `:streamGenerateContent?alt=sse`. Gemini has no switch for parallel tool calls and no
 * reasoning effort in our sense, so those two request fields are ignored here.
 */
export function createGoogleChatModel(settings: GoogleChatModelSettings): ChatModel {
  const provider = createGoogleGenerativeAI({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    fetch: settings.fetch,
  });
  const languageModel = provider.languageModel(settings.modelId);
  return Object.freeze({
    provider: settings.providerName ?? 'google',
    modelId: settings.modelId,
    // A generator, so that even request-conversion errors surface while iterating, like upstream errors.
    async *stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamPart> {
      yield* streamLanguageModel(languageModel, toLanguageModelCallOptions(request, signal), signal);
    },
  });
}

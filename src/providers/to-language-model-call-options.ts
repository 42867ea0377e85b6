import type { JSONSchema7, LanguageModelV3CallOptions, LanguageModelV3ToolChoice } from '@ai-sdk/provider';
import type { ChatRequest, ToolChoice } from './chat-model.js';
import { toLanguageModelPrompt } from './to-language-model-prompt.js';

/**
 * The provider-neutral part of a call. Settings the SDK has no neutral field for (parallel tool calls,
 * reasoning effort, strict JSON schema) are added by each provider as its own `providerOptions`.
 */
export function toLanguageModelCallOptions(request: ChatRequest, signal: AbortSignal): LanguageModelV3CallOptions {
  const hasTools = request.tools !== undefined && request.tools.length > 0;
  return {
    prompt: toLanguageModelPrompt(request.messages),
    abortSignal: signal,
    temperature: request.temperature,
    topP: request.topP,
    maxOutputTokens: request.maxOutputTokens,
    responseFormat: toResponseFormat(request),
    tools: hasTools
      ? request.tools?.map((tool) => ({
          type: 'function' as const,
          name: tool.name,
          description: tool.description,
          inputSchema: tool.parameters as JSONSchema7,
          ...(tool.strict === undefined ? {} : { strict: tool.strict }),
        }))
      : undefined,
    toolChoice: hasTools && request.toolChoice !== undefined ? toToolChoice(request.toolChoice) : undefined,
    // Lets the provider adapter see which tool call ids came from the upstream (see stream-language-model.ts).
    includeRawChunks: true,
  };
}

function toToolChoice(choice: ToolChoice): LanguageModelV3ToolChoice {
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', toolName: choice.name };
}

function toResponseFormat(request: ChatRequest): LanguageModelV3CallOptions['responseFormat'] {
  const format = request.responseFormat;
  if (format === undefined) return undefined;
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  return { type: 'json', schema: format.schema as JSONSchema7, name: format.name, description: format.description };
}

import type { LanguageModelV3Message, LanguageModelV3Prompt, LanguageModelV3ToolResultPart } from '@ai-sdk/provider';
import type { AssistantMessage, ChatMessage, UserContentPart, UserMessage } from './chat-model.js';
import { ProviderError } from './provider-error.js';

/**
 * Converts our messages into the AI SDK's prompt. Tool messages carry only a call id, but Anthropic and
 * Google need the tool's name too, so it is looked up from the assistant message that made the call.
 * Consecutive tool messages become one SDK tool message (Anthropic wants all results in one turn).
 */
export function toLanguageModelPrompt(messages: readonly ChatMessage[]): LanguageModelV3Prompt {
  const prompt: LanguageModelV3Prompt = [];
  const toolNames = new Map<string, string>();
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        prompt.push({ role: 'system', content: message.content });
        break;
      case 'user':
        prompt.push(toUserMessage(message));
        break;
      case 'assistant':
        for (const call of message.toolCalls ?? []) toolNames.set(call.id, call.name);
        prompt.push(toAssistantMessage(message));
        break;
      case 'tool': {
        const toolName = toolNames.get(message.toolCallId);
        if (toolName === undefined) {
          throw new ProviderError(
            'invalid_prompt',
            `Tool message answers call '${message.toolCallId}', which no earlier assistant message made`,
          );
        }
        const result: LanguageModelV3ToolResultPart = {
          type: 'tool-result',
          toolCallId: message.toolCallId,
          toolName,
          output: { type: 'text', value: message.content },
        };
        const previous = prompt.at(-1);
        if (previous?.role === 'tool') previous.content.push(result);
        else prompt.push({ role: 'tool', content: [result] });
        break;
      }
    }
  }
  return prompt;
}

function toUserMessage(message: UserMessage): LanguageModelV3Message {
  const parts: readonly UserContentPart[] =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  return {
    role: 'user',
    content: parts.map((part) => {
      if (part.type === 'text') return { type: 'text', text: part.text };
      if (!('url' in part)) return { type: 'file', data: part.data, mediaType: part.mediaType };
      const inline = parseDataUrl(part.url);
      if (inline !== undefined) return { type: 'file', ...inline };
      return { type: 'file', data: new URL(part.url), mediaType: 'image/*' };
    }),
  };
}

/**
 * Providers other than OpenAI's cannot take `data:` URLs, so inline images travel as bytes. For real URLs the
 * SDK still wants a media type; `image/*` means "some image, let the upstream sniff it".
 */
function parseDataUrl(url: string): { data: Uint8Array; mediaType: string } | undefined {
  const match = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(url);
  if (match === null) return undefined;
  return { mediaType: match[1] as string, data: new Uint8Array(Buffer.from(match[2] as string, 'base64')) };
}

function toAssistantMessage(message: AssistantMessage): LanguageModelV3Message {
  const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = [];
  if (message.content !== undefined && message.content !== '') content.push({ type: 'text', text: message.content });
  for (const call of message.toolCalls ?? []) {
    const input = parseArguments(call.arguments);
    content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input });
  }
  return { role: 'assistant', content };
}

/**
 * The SDK wants tool input as a value and re-serializes it. Arguments that are not valid JSON (a model can
 * emit those) are kept as the raw string so the conversation still replays.
 */
function parseArguments(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

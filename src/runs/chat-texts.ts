import type { ChatMessage, ToolDefinition } from '../providers/index.js';

/** Every text a token counter will be asked about for these messages and tools (what the pool counts ahead). */
export function chatTexts(messages: readonly ChatMessage[], tools: readonly ToolDefinition[] = []): string[] {
  const texts: string[] = tools.map((tool) => JSON.stringify(tool));
  for (const message of messages) {
    texts.push(message.role);
    if (message.role === 'assistant') {
      texts.push(message.content ?? '');
      for (const call of message.toolCalls ?? []) texts.push(call.name, call.arguments);
    } else if (typeof message.content === 'string') {
      texts.push(message.content);
    } else {
      for (const part of message.content) if (part.type === 'text') texts.push(part.text);
    }
  }
  return texts;
}

/** Counts `texts` in the pool and returns them keyed by text, for `createTokenCounter`'s `known`. */
export async function countAhead(
  count: (texts: readonly string[]) => Promise<number[]>,
  texts: readonly string[],
): Promise<Map<string, number>> {
  const unique = [...new Set(texts)];
  const counts = await count(unique);
  return new Map(unique.map((text, index) => [text, counts[index]!]));
}

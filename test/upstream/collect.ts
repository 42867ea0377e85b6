import type { ChatStreamPart } from '../../src/providers/index.js';

/** Drains a model stream into an array. */
export async function collectParts(stream: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> {
  const parts: ChatStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/** The text a stream produced. */
export function textOf(parts: readonly ChatStreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

export function partsOfType<T extends ChatStreamPart['type']>(
  parts: readonly ChatStreamPart[],
  type: T,
): Array<Extract<ChatStreamPart, { type: T }>> {
  return parts.filter((part): part is Extract<ChatStreamPart, { type: T }> => part.type === type);
}

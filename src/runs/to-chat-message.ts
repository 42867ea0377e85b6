import type { Message } from '../api/types.js';
import type { ChatMessage, UserContentPart } from '../providers/index.js';

/** Reads an image file's bytes for a vision model; undefined when it cannot be read. */
export type ImageLoader = (fileId: string) => Promise<{ data: Uint8Array; mediaType: string } | undefined>;

/** A thread message as the model reads it: assistant text, or the user's text and images. */
export async function toChatMessage(message: Message, loadImage: ImageLoader): Promise<ChatMessage> {
  if (message.role === 'assistant') return { role: 'assistant', content: textOf(message) };
  const parts: UserContentPart[] = [];
  for (const part of message.content) {
    if (part.type === 'text') parts.push({ type: 'text', text: part.text.value });
    else if (part.type === 'image_url') parts.push({ type: 'image', url: part.image_url.url });
    else if (part.type === 'image_file') {
      const image = await loadImage(part.image_file.file_id);
      if (image) parts.push({ type: 'image', ...image });
    }
  }
  const onlyText = parts.every((part) => part.type === 'text');
  return { role: 'user', content: onlyText ? parts.map((part) => (part as { text: string }).text).join('\n') : parts };
}

export function textOf(message: Message): string {
  return message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');
}

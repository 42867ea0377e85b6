import type { AssistantMessage, ChatMessage, ToolCall, UserContentPart } from '../providers/index.js';
import type { ConversationItem, ThreadRow } from '../store/store.js';
import { type ImageLoader, toChatMessage } from './to-chat-message.js';

/**
 * A thread row as the model reads it: an Assistants message as one chat message; a conversation item as what it
 * stands for — a function call as an assistant tool call, its output as a tool message, a built-in call as both,
 * a system or developer message as a system message. Reasoning items carry nothing a chat model can take back.
 */
export async function rowToChatMessages(row: ThreadRow, loadImage: ImageLoader): Promise<ChatMessage[]> {
  if (row.kind === 'message') return [await toChatMessage(row.message, loadImage)];
  return itemToChatMessages(row.item, loadImage);
}

async function itemToChatMessages(item: ConversationItem, loadImage: ImageLoader): Promise<ChatMessage[]> {
  switch (item.type) {
    case 'message':
      return [await inputMessage(item, loadImage)];
    case 'function_call':
      return [callOf(String(item.call_id), String(item.name), String(item.arguments ?? ''))];
    case 'function_call_output':
      return [{ role: 'tool', toolCallId: String(item.call_id), content: outputText(item.output) }];
    case 'code_interpreter_call': {
      const outputs = Array.isArray(item.outputs) ? (item.outputs as Array<{ type: string; logs?: string }>) : [];
      const logs = outputs.map((output) => (output.type === 'logs' ? (output.logs ?? '') : '[image]')).join('\n');
      return [
        callOf(item.id, 'code_interpreter', JSON.stringify({ code: item.code ?? '' })),
        { role: 'tool', toolCallId: item.id, content: logs },
      ];
    }
    case 'file_search_call': {
      const results = Array.isArray(item.results) ? (item.results as Array<{ filename?: string; text?: string }>) : [];
      const found = results.map((result) => `[${result.filename ?? ''}] ${result.text ?? ''}`).join('\n\n');
      return [
        callOf(item.id, 'file_search', JSON.stringify({ queries: item.queries ?? [] })),
        { role: 'tool', toolCallId: item.id, content: found },
      ];
    }
    default:
      return [];
  }
}

function callOf(id: string, name: string, args: string): AssistantMessage {
  return { role: 'assistant', toolCalls: [{ id, name, arguments: args }] };
}

type InputPart = { type: string; text?: string; image_url?: string | null; file_id?: string | null };

async function inputMessage(item: ConversationItem, loadImage: ImageLoader): Promise<ChatMessage> {
  const role = String(item.role);
  const content = item.content as string | InputPart[];
  const parts = typeof content === 'string' ? [{ type: 'input_text', text: content }] : content;
  const text = parts.map((part) => part.text ?? '').join('');
  if (role === 'system' || role === 'developer') return { role: 'system', content: text };
  if (role === 'assistant') return { role: 'assistant', content: text };
  const userParts: UserContentPart[] = [];
  for (const part of parts) {
    if (part.type === 'input_text') userParts.push({ type: 'text', text: part.text ?? '' });
    else if (part.type === 'input_image' && part.image_url) userParts.push({ type: 'image', url: part.image_url });
    else if (part.type === 'input_image' && part.file_id) {
      const image = await loadImage(part.file_id);
      if (image) userParts.push({ type: 'image', ...image });
    }
  }
  const onlyText = userParts.every((part) => part.type === 'text');
  return { role: 'user', content: onlyText ? text : userParts };
}

/** A function call output is a string, or content parts whose text is what the model reads. */
function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return '';
  return output.map((part: { text?: string }) => part.text ?? '').join('');
}

/**
 * The chat messages made well-formed for a provider: consecutive tool-call messages become one assistant turn
 * (parallel calls), tool results answer a call made before them, and calls nobody answered (their outputs fell out
 * of the context, or never came) are left out, as providers refuse a call without its result.
 */
export function pairToolTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const previous = merged.at(-1);
    if (isCallsOnly(message) && previous && isCallsOnly(previous)) {
      merged[merged.length - 1] = { role: 'assistant', toolCalls: [...previous.toolCalls!, ...message.toolCalls!] };
    } else {
      merged.push(message);
    }
  }
  const answered = new Set<string>();
  const called = new Set<string>();
  for (const message of merged) {
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) called.add(call.id);
    if (message.role === 'tool' && called.has(message.toolCallId)) answered.add(message.toolCallId);
  }
  const seen = new Set<string>();
  const paired: ChatMessage[] = [];
  for (const message of merged) {
    if (message.role === 'tool') {
      if (answered.has(message.toolCallId) && seen.has(message.toolCallId)) paired.push(message);
      continue;
    }
    if (message.role !== 'assistant' || !message.toolCalls) {
      paired.push(message);
      continue;
    }
    const calls: ToolCall[] = message.toolCalls.filter((call) => answered.has(call.id));
    for (const call of calls) seen.add(call.id);
    if (calls.length > 0 || message.content) {
      paired.push({
        role: 'assistant',
        ...(message.content ? { content: message.content } : {}),
        ...(calls.length > 0 ? { toolCalls: calls } : {}),
      });
    }
  }
  return paired;
}

function isCallsOnly(message: ChatMessage): message is AssistantMessage {
  return message.role === 'assistant' && !message.content && (message.toolCalls?.length ?? 0) > 0;
}

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { argumentsOf, defaultUsage } from './openai-chat.js';
import type { CompletionScript, ErrorScript, RecordedRequest } from './script.js';
import { pause, splitInto, splitText, startSse, writeJson, writeSse } from './sse.js';

const STOP_REASONS: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

/** Renders a completion as Anthropic's `POST /v1/messages` event stream. */
export async function writeAnthropicMessage(
  response: ServerResponse,
  request: RecordedRequest,
  script: CompletionScript,
): Promise<void> {
  const toolCalls = script.toolCalls ?? [];
  const usage = script.usage ?? defaultUsage(request, script);
  const finishReason = script.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  startSse(response);
  const send = (data: Record<string, unknown>): boolean => writeSse(response, data, data.type as string);
  send({
    type: 'message_start',
    message: {
      id: `msg_${randomBytes(12).toString('hex')}`,
      type: 'message',
      role: 'assistant',
      model: request.body?.model ?? 'scripted',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.promptTokens, output_tokens: 1 },
    },
  });
  let index = 0;
  const pieces = splitText(script.text);
  if (pieces.length > 0) {
    send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const piece of pieces) {
      await pause(script.chunkDelayMs);
      if (!send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } })) return;
    }
    send({ type: 'content_block_stop', index });
    index += 1;
  }
  for (const call of toolCalls) {
    const id = call.id ?? `toolu_${randomBytes(12).toString('hex')}`;
    send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: call.name, input: {} } });
    for (const piece of splitInto(argumentsOf(call), call.argumentChunks ?? 3)) {
      const delta = { type: 'input_json_delta', partial_json: piece };
      if (!send({ type: 'content_block_delta', index, delta })) return;
    }
    send({ type: 'content_block_stop', index });
    index += 1;
  }
  send({
    type: 'message_delta',
    delta: { stop_reason: STOP_REASONS[finishReason] ?? finishReason, stop_sequence: null },
    usage: { output_tokens: usage.completionTokens },
  });
  send({ type: 'message_stop' });
  response.end();
}

export function writeAnthropicError(response: ServerResponse, script: ErrorScript): void {
  const { status, message, type, retryAfter } = script.error;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  writeJson(response, status, { type: 'error', error: { type: type ?? 'api_error', message } }, headers);
}

import type { ServerResponse } from 'node:http';
import { argumentsOf, defaultUsage } from './openai-chat.js';
import type { CompletionScript, ErrorScript, RecordedRequest } from './script.js';
import { pause, splitText, startSse, writeJson, writeSse } from './sse.js';

const FINISH_REASONS: Record<string, string> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP',
  content_filter: 'SAFETY',
};

/**
 * Renders a completion as Gemini's `:streamGenerateContent?alt=sse`: text in several chunks, function calls
 * whole (Gemini does not stream their arguments), and `finishReason` plus usage on the last chunk.
 */
export async function writeGoogleContent(
  response: ServerResponse,
  request: RecordedRequest,
  script: CompletionScript,
): Promise<void> {
  const usage = script.usage ?? defaultUsage(request, script);
  const finishReason = script.finishReason ?? (script.toolCalls?.length ? 'tool_calls' : 'stop');
  const modelVersion = request.path.split('/').at(-1)?.split(':')[0] ?? 'scripted';
  startSse(response);
  const send = (parts: unknown[], last: boolean): boolean =>
    writeSse(response, {
      candidates: [
        {
          content: { parts, role: 'model' },
          index: 0,
          ...(last ? { finishReason: FINISH_REASONS[finishReason] ?? 'OTHER' } : {}),
        },
      ],
      ...(last
        ? {
            usageMetadata: {
              promptTokenCount: usage.promptTokens,
              candidatesTokenCount: usage.completionTokens,
              totalTokenCount: usage.promptTokens + usage.completionTokens,
            },
          }
        : {}),
      modelVersion,
    });
  for (const piece of splitText(script.text)) {
    await pause(script.chunkDelayMs);
    if (!send([{ text: piece }], false)) return;
  }
  const calls = (script.toolCalls ?? []).map((call) => ({
    functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: JSON.parse(argumentsOf(call)) },
  }));
  send(calls, true);
  response.end();
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function writeGoogleError(response: ServerResponse, script: ErrorScript): void {
  const { status, message, retryAfter } = script.error;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  writeJson(response, status, { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } }, headers);
}

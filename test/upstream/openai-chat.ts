import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { CompletionScript, ControlledSink, RecordedRequest, ScriptedToolCall, ScriptedUsage } from './script.js';
import { pause, splitInto, splitText, startSse, writeSse } from './sse.js';

/** Renders a completion as OpenAI's `chat.completion.chunk` SSE stream, or as one `chat.completion` object. */
export async function writeOpenAICompletion(
  response: ServerResponse,
  request: RecordedRequest,
  script: CompletionScript,
): Promise<void> {
  const toolCalls = (script.toolCalls ?? []).map(withId);
  const finishReason = script.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  const usage = script.usage === undefined ? defaultUsage(request, script) : script.usage;
  const base = chunkBase(request);
  if (request.body?.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(completionObject(base, script, toolCalls, finishReason, usage)));
    return;
  }
  startSse(response);
  const send = (choice: Record<string, unknown>): boolean =>
    writeSse(response, {
      ...base,
      choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
      // With include_usage, OpenAI puts `usage: null` on every chunk but the last.
      ...(includeUsage(request) ? { usage: null } : {}),
    });
  send({ delta: { role: 'assistant', content: '', refusal: null } });
  for (const piece of splitText(script.text)) {
    await pause(script.chunkDelayMs);
    if (!send({ delta: { content: piece } })) return;
  }
  for (const [index, call] of toolCalls.entries()) {
    const argumentsText = argumentsOf(call);
    const id = call.id === null ? {} : { id: call.id };
    const head = { index, ...id, type: 'function', function: { name: call.name, arguments: '' } };
    if (!send({ delta: { tool_calls: [head] } })) return;
    for (const piece of splitInto(argumentsText, call.argumentChunks ?? 3)) {
      await pause(script.chunkDelayMs);
      if (!send({ delta: { tool_calls: [{ index, function: { arguments: piece } }] } })) return;
    }
  }
  send({ delta: {}, finish_reason: finishReason });
  finishStream(response, request, base, usage);
}

/** The sink behind a `ControlledResponse`: the test supplies choice fields, we add the envelope. */
export function openAIControlledSink(response: ServerResponse, request: RecordedRequest): ControlledSink {
  startSse(response);
  const base = chunkBase(request);
  const firstChoice = { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null };
  writeSse(response, { ...base, choices: [firstChoice] });
  return {
    write(choice) {
      const { usage, ...rest } = choice as { usage?: ScriptedUsage };
      writeSse(response, { ...base, choices: [{ index: 0, finish_reason: null, ...rest }] });
      if (usage !== undefined) writeUsage(response, request, base, usage);
    },
    end() {
      if (!response.destroyed) {
        writeSse(response, '[DONE]');
        response.end();
      }
    },
    destroy() {
      response.socket?.destroy();
    },
  };
}

function finishStream(
  response: ServerResponse,
  request: RecordedRequest,
  base: object,
  usage: ScriptedUsage | null,
): void {
  if (usage !== null) writeUsage(response, request, base, usage);
  writeSse(response, '[DONE]');
  response.end();
}

/** OpenAI sends usage in a last chunk with empty `choices`, and only when `stream_options.include_usage` asked. */
function writeUsage(response: ServerResponse, request: RecordedRequest, base: object, usage: ScriptedUsage): void {
  if (includeUsage(request)) {
    writeSse(response, { ...base, choices: [], usage: toOpenAIUsage(usage) });
  }
}

function includeUsage(request: RecordedRequest): boolean {
  return request.body?.stream_options?.include_usage === true;
}

function toOpenAIUsage(usage: ScriptedUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

function completionObject(
  base: Record<string, unknown>,
  script: CompletionScript,
  toolCalls: ScriptedToolCall[],
  finishReason: string,
  usage: ScriptedUsage | null,
): Record<string, unknown> {
  const text = splitText(script.text).join('');
  const message = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
    ...(toolCalls.length === 0
      ? {}
      : {
          tool_calls: toolCalls.map((call) => ({
            ...(call.id === null ? {} : { id: call.id }),
            type: 'function',
            function: { name: call.name, arguments: argumentsOf(call) },
          })),
        }),
  };
  return {
    ...base,
    object: 'chat.completion',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    ...(usage === null ? {} : { usage: toOpenAIUsage(usage) }),
  };
}

function chunkBase(request: RecordedRequest): Record<string, unknown> {
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: typeof request.body?.model === 'string' ? request.body.model : 'scripted',
    system_fingerprint: 'fp_scripted',
  };
}

export function withId(call: ScriptedToolCall): ScriptedToolCall {
  return call.id === undefined ? { ...call, id: `call_${randomBytes(12).toString('hex')}` } : call;
}

export function argumentsOf(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/** A stable, plausible count: ~4 characters per token, like the real thing on English text. */
export function defaultUsage(request: RecordedRequest, script: CompletionScript): ScriptedUsage {
  const promptTokens = Math.max(1, Math.ceil(JSON.stringify(request.body?.messages ?? request.body ?? '').length / 4));
  const output = splitText(script.text).join('') + (script.toolCalls ?? []).map(argumentsOf).join('');
  return { promptTokens, completionTokens: Math.max(1, Math.ceil(output.length / 4)) };
}

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type ChatModel, type ChatRequest, createOpenAICompatibleChatModel } from '../src/providers/index.js';
import {
  ControlledResponse,
  collectParts,
  partsOfType,
  type ScriptedUpstream,
  startScriptedUpstream,
  textOf,
} from './upstream/index.js';

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Say hello' }] };
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('OpenAI-compatible chat model over the scripted upstream', () => {
  let upstream: ScriptedUpstream;
  let model: ChatModel;
  before(async () => {
    upstream = await startScriptedUpstream();
    model = createOpenAICompatibleChatModel({ baseURL: upstream.baseURL, apiKey: 'sk-test', modelId: 'gpt-4o' });
  });
  beforeEach(() => upstream.reset());
  after(() => upstream.close());

  test('streams text in chunks and ends with the usage the upstream reported', async () => {
    upstream.script({ text: ['Hel', 'lo', ', world'], usage: { promptTokens: 11, completionTokens: 4 } });
    const parts = await collectParts(model.stream(hello, new AbortController().signal));
    assert.deepEqual(
      partsOfType(parts, 'text-delta').map((part) => part.text),
      ['Hel', 'lo', ', world'],
    );
    assert.deepEqual(parts.at(-1), {
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 11, completionTokens: 4 },
    });
    assert.equal(upstream.requests[0]?.path, '/v1/chat/completions');
    assert.equal(upstream.requests[0]?.headers.authorization, 'Bearer sk-test');
  });

  test('reports usage as undefined when the upstream sends none', async () => {
    upstream.script({ text: 'cut short', usage: null, finishReason: 'length' });
    const parts = await collectParts(model.stream(hello, new AbortController().signal));
    assert.deepEqual(parts.at(-1), { type: 'finish', finishReason: 'length', usage: undefined });
  });

  test('reassembles parallel tool calls from argument deltas and keeps the upstream call ids', async () => {
    upstream.script({
      toolCalls: [
        { id: 'call_paris', name: 'get_weather', arguments: { city: 'Paris' }, argumentChunks: 4 },
        { id: 'call_rome', name: 'get_weather', arguments: { city: 'Rome' }, argumentChunks: 2 },
      ],
    });
    const parts = await collectParts(model.stream({ ...hello, tools: [weatherTool] }, new AbortController().signal));
    assert.deepEqual(partsOfType(parts, 'tool-call-start'), [
      { type: 'tool-call-start', toolCallId: 'call_paris', name: 'get_weather' },
      { type: 'tool-call-start', toolCallId: 'call_rome', name: 'get_weather' },
    ]);
    const deltas = partsOfType(parts, 'tool-call-delta');
    assert.ok(deltas.filter((delta) => delta.toolCallId === 'call_paris').length >= 2, 'arguments arrive in pieces');
    const joined = (id: string): string =>
      deltas
        .filter((delta) => delta.toolCallId === id)
        .map((delta) => delta.argumentsDelta)
        .join('');
    assert.equal(joined('call_paris'), '{"city":"Paris"}');
    assert.equal(joined('call_rome'), '{"city":"Rome"}');
    assert.deepEqual(partsOfType(parts, 'tool-call-end'), [
      { type: 'tool-call-end', toolCallId: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call-end', toolCallId: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
    ]);
    const finish = parts.at(-1);
    assert.equal(finish?.type === 'finish' ? finish.finishReason : finish?.type, 'tool_calls');
  });

  test('gives tool calls an OpenAI-style id when the upstream sends none', async () => {
    upstream.script({ toolCalls: [{ id: null, name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const parts = await collectParts(model.stream({ ...hello, tools: [weatherTool] }, new AbortController().signal));
    const [start] = partsOfType(parts, 'tool-call-start');
    const [end] = partsOfType(parts, 'tool-call-end');
    assert.match(start?.toolCallId ?? '', /^call_[0-9A-Za-z]{24}$/);
    assert.equal(end?.toolCallId, start?.toolCallId);
    assert.ok(partsOfType(parts, 'tool-call-delta').every((delta) => delta.toolCallId === start?.toolCallId));
  });

  test('a stream that is cut off before its finish reason fails as invalid_response', async () => {
    const control = new ControlledResponse();
    upstream.script({ controlled: control });
    control.text('partial');
    control.endWithoutFinish();
    await assert.rejects(collectParts(model.stream(hello, new AbortController().signal)), {
      name: 'ProviderError',
      code: 'invalid_response',
    });
  });

  test('garbage in the middle of the stream fails as invalid_response after the text before it', async () => {
    upstream.script({ malformed: { textBefore: ['Hi', ' there'] } });
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const part of model.stream(hello, new AbortController().signal)) {
          if (part.type === 'text-delta') received.push(part.text);
        }
      })(),
      (error: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(error.name, 'ProviderError');
        assert.equal(error.code, 'invalid_response');
        assert.equal(error.retryable, false);
        assert.match(error.message, /^Upstream model provider sent an invalid response/);
        return true;
      },
    );
    assert.deepEqual(received, ['Hi', ' there']);
  });

  test('sends every request field OpenAI expects on the wire', async () => {
    upstream.script({ text: '{"ok":true}' });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const request: ChatRequest = {
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image', url: 'https://example.com/cat.png' },
            { type: 'image', data: png, mediaType: 'image/png' },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          toolCalls: [
            { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', toolCallId: 'call_a', content: 'sunny' },
        { role: 'tool', toolCallId: 'call_b', content: 'rain' },
      ],
      tools: [{ ...weatherTool, strict: true }],
      toolChoice: { name: 'get_weather' },
      parallelToolCalls: false,
      temperature: 0.25,
      topP: 0.5,
      maxOutputTokens: 321,
      responseFormat: {
        type: 'json_schema',
        name: 'answer',
        schema: { type: 'object' },
        strict: true,
        description: 'd',
      },
      reasoningEffort: 'low',
    };
    await collectParts(model.stream(request, new AbortController().signal));
    const body = upstream.requests[0]?.body;
    assert.equal(upstream.requests[0]?.path, '/v1/chat/completions');
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(body.tools, [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: weatherTool.description,
          parameters: weatherTool.parameters,
          strict: true,
        },
      },
    ]);
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(body.parallel_tool_calls, false);
    assert.equal(body.temperature, 0.25);
    assert.equal(body.top_p, 0.5);
    assert.equal(body.max_tokens, 321);
    assert.equal(body.reasoning_effort, 'low');
    assert.deepEqual(body.response_format, {
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' },
    });
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'You are terse.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(png).toString('base64')}` } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_b', content: 'rain' },
    ]);
  });

  test('sends json_object, the string tool choices and a non-strict json_schema as OpenAI spells them', async () => {
    upstream.script({ text: '{}' }, { text: 'x' }, { text: '{}' });
    const signal = new AbortController().signal;
    await collectParts(model.stream({ ...hello, responseFormat: { type: 'json_object' } }, signal));
    await collectParts(
      model.stream({ ...hello, tools: [weatherTool], toolChoice: 'required', parallelToolCalls: true }, signal),
    );
    await collectParts(
      model.stream(
        { ...hello, responseFormat: { type: 'json_schema', name: 'n', schema: { type: 'object' } } },
        signal,
      ),
    );
    const [jsonObject, required, jsonSchema] = upstream.requests.map((request) => request.body);
    assert.deepEqual(jsonObject.response_format, { type: 'json_object' });
    assert.equal(jsonObject.tools, undefined);
    assert.equal(jsonObject.parallel_tool_calls, undefined, 'not sent without tools');
    assert.equal(required.tool_choice, 'required');
    assert.equal(required.parallel_tool_calls, true);
    assert.equal(jsonSchema.response_format.json_schema.strict, false, "OpenAI's default, not the SDK's");
  });

  test("sends max_completion_tokens instead of max_tokens to OpenAI's reasoning models", async () => {
    const reasoningModel = createOpenAICompatibleChatModel({ baseURL: upstream.baseURL, modelId: 'o3-mini' });
    upstream.script({ text: 'thought' });
    await collectParts(
      reasoningModel.stream({ ...hello, maxOutputTokens: 100, reasoningEffort: 'high' }, new AbortController().signal),
    );
    const body = upstream.requests[0]?.body;
    assert.equal(body.max_completion_tokens, 100);
    assert.equal('max_tokens' in body, false);
    assert.equal(body.reasoning_effort, 'high');
  });

  test('a string assistant message without tool calls and a plain user string stay plain', async () => {
    upstream.script({ text: 'fine' });
    const request: ChatRequest = {
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
        { role: 'user', content: 'three' },
      ],
    };
    const parts = await collectParts(model.stream(request, new AbortController().signal));
    assert.equal(textOf(parts), 'fine');
    assert.deepEqual(upstream.requests[0]?.body.messages, [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'two' },
      { role: 'user', content: 'three' },
    ]);
  });

  test('a tool message that answers no known call is rejected before anything is sent', async () => {
    const request: ChatRequest = {
      messages: [
        { role: 'user', content: 'x' },
        { role: 'tool', toolCallId: 'call_zz', content: 'y' },
      ],
    };
    await assert.rejects(collectParts(model.stream(request, new AbortController().signal)), {
      code: 'invalid_prompt',
      message: /call_zz/,
    });
    assert.equal(upstream.requests.length, 0);
  });
});

describe('the scripted upstream itself', () => {
  test('answers non-streaming chat completions with a chat.completion object', async (t) => {
    const upstream = await startScriptedUpstream();
    t.after(() => upstream.close());
    upstream.script({
      text: 'plain answer',
      toolCalls: [{ id: 'call_1', name: 'f', arguments: { a: 1 } }],
      usage: { promptTokens: 3, completionTokens: 2 },
    });
    const response = await fetch(`${upstream.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'q' }] }),
    });
    const body = (await response.json()) as Record<string, any>;
    assert.equal(body.object, 'chat.completion');
    assert.deepEqual(body.choices[0].message.tool_calls, [
      { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
    ]);
    assert.equal(body.choices[0].message.content, 'plain answer');
    assert.equal(body.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(body.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  test('answers from a function of the request once the queue is empty', async (t) => {
    const upstream = await startScriptedUpstream();
    t.after(() => upstream.close());
    upstream.script({ text: 'queued first' });
    upstream.respond((request, callNumber) => ({
      text: `call ${callNumber}: ${request.body.messages[0].content}`,
      chunkDelayMs: 2,
    }));
    const model = createOpenAICompatibleChatModel({ baseURL: upstream.baseURL, modelId: 'm' });
    const texts: string[] = [];
    for (const content of ['a', 'b', 'c']) {
      texts.push(
        textOf(
          await collectParts(model.stream({ messages: [{ role: 'user', content }] }, new AbortController().signal)),
        ),
      );
    }
    assert.deepEqual(texts, ['queued first', 'call 2: b', 'call 3: c']);
  });

  test('answers a model call it has no script for with a 500 that says so', async (t) => {
    const upstream = await startScriptedUpstream();
    t.after(() => upstream.close());
    const response = await fetch(`${upstream.baseURL}/chat/completions`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 500);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /no response scripted/);
  });
});

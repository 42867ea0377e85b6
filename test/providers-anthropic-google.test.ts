import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type ChatRequest, createAnthropicChatModel, createGoogleChatModel } from '../src/providers/index.js';
import { collectParts, partsOfType, type ScriptedUpstream, startScriptedUpstream, textOf } from './upstream/index.js';

const weatherTool = {
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const question: ChatRequest = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather in Paris?' },
  ],
  tools: [weatherTool],
};
const afterToolCall: ChatRequest = {
  messages: [
    ...question.messages,
    { role: 'assistant', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', toolCallId: 'call_1', content: '21 C and sunny' },
  ],
  tools: [weatherTool],
};

describe('Anthropic and Google chat models over the scripted upstream', () => {
  let upstream: ScriptedUpstream;
  before(async () => {
    upstream = await startScriptedUpstream();
  });
  beforeEach(() => upstream.reset());
  after(() => upstream.close());

  test('Anthropic: streams text with usage over POST /v1/messages', async () => {
    const model = createAnthropicChatModel({
      baseURL: upstream.baseURL,
      apiKey: 'sk-ant-test',
      modelId: 'claude-sonnet-4-5',
    });
    upstream.script({ text: 'It is sunny in Paris.', usage: { promptTokens: 20, completionTokens: 6 } });
    const parts = await collectParts(model.stream(question, new AbortController().signal));
    assert.equal(textOf(parts), 'It is sunny in Paris.');
    assert.ok(partsOfType(parts, 'text-delta').length > 1, 'text arrives in several deltas');
    assert.deepEqual(parts.at(-1), {
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 20, completionTokens: 6 },
    });
    const request = upstream.requests[0];
    assert.equal(request?.path, '/v1/messages');
    assert.equal(request?.headers['x-api-key'], 'sk-ant-test');
    assert.equal(request?.body.model, 'claude-sonnet-4-5');
    assert.equal(request?.body.stream, true);
    assert.deepEqual(request?.body.system, [{ type: 'text', text: 'Be brief.' }]);
  });

  test('Anthropic: a tool call keeps its toolu_ id, and its result goes back as a tool_result', async () => {
    const model = createAnthropicChatModel({ baseURL: upstream.baseURL, apiKey: 'k', modelId: 'claude-sonnet-4-5' });
    upstream.script(
      { toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { text: 'Sunny.' },
    );
    const parts = await collectParts(
      model.stream({ ...question, parallelToolCalls: false }, new AbortController().signal),
    );
    assert.deepEqual(partsOfType(parts, 'tool-call-end'), [
      { type: 'tool-call-end', toolCallId: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    assert.equal(
      partsOfType(parts, 'tool-call-delta')
        .map((delta) => delta.argumentsDelta)
        .join(''),
      '{"city":"Paris"}',
    );
    const finish = parts.at(-1);
    assert.equal(finish?.type === 'finish' && finish.finishReason, 'tool_calls');
    assert.equal(upstream.requests[0]?.body.tool_choice?.disable_parallel_tool_use, true);

    await collectParts(model.stream(afterToolCall, new AbortController().signal));
    const messages = upstream.requests[1]?.body.messages;
    assert.deepEqual(messages.at(-2).content, [
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    assert.deepEqual(messages.at(-1), {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '21 C and sunny' }],
    });
  });

  test('Anthropic: an authentication error maps to authentication_failed', async () => {
    const model = createAnthropicChatModel({ baseURL: upstream.baseURL, apiKey: 'bad', modelId: 'claude-sonnet-4-5' });
    upstream.script({ error: { status: 401, message: 'invalid x-api-key', type: 'authentication_error' } });
    await assert.rejects(collectParts(model.stream(question, new AbortController().signal)), {
      code: 'authentication_failed',
      message: 'Upstream model provider returned 401: invalid x-api-key',
    });
  });

  test('Google: streams text with usage over :streamGenerateContent?alt=sse', async () => {
    const model = createGoogleChatModel({ baseURL: upstream.baseURL, apiKey: 'g-key', modelId: 'gemini-2.0-flash' });
    upstream.script({ text: 'Mild and dry.', usage: { promptTokens: 9, completionTokens: 4 } });
    const parts = await collectParts(model.stream(question, new AbortController().signal));
    assert.equal(textOf(parts), 'Mild and dry.');
    assert.deepEqual(parts.at(-1), {
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 9, completionTokens: 4 },
    });
    const request = upstream.requests[0];
    assert.equal(request?.path, '/v1/models/gemini-2.0-flash:streamGenerateContent');
    assert.equal(request?.query.get('alt'), 'sse');
    assert.equal(request?.headers['x-goog-api-key'], 'g-key');
    assert.deepEqual(request?.body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
  });

  test('Google: a tool call gets a call_ id (Gemini sends none) and its result goes back by name', async () => {
    const model = createGoogleChatModel({ baseURL: upstream.baseURL, apiKey: 'g-key', modelId: 'gemini-2.0-flash' });
    upstream.script(
      { toolCalls: [{ id: null, name: 'get_weather', arguments: { city: 'Paris' } }] },
      { text: 'Sunny.' },
    );
    const parts = await collectParts(model.stream(question, new AbortController().signal));
    const [end] = partsOfType(parts, 'tool-call-end');
    assert.match(end?.toolCallId ?? '', /^call_[0-9A-Za-z]{24}$/);
    assert.equal(end?.name, 'get_weather');
    assert.deepEqual(JSON.parse(end?.arguments ?? ''), { city: 'Paris' });
    assert.equal(partsOfType(parts, 'tool-call-start')[0]?.toolCallId, end?.toolCallId);
    const finish = parts.at(-1);
    assert.equal(finish?.type === 'finish' && finish.finishReason, 'tool_calls');

    await collectParts(model.stream(afterToolCall, new AbortController().signal));
    const contents = upstream.requests[1]?.body.contents;
    assert.deepEqual(contents.at(-2).parts[0].functionCall, {
      id: 'call_1',
      name: 'get_weather',
      args: { city: 'Paris' },
    });
    assert.equal(contents.at(-1).parts[0].functionResponse.name, 'get_weather');
    assert.match(JSON.stringify(contents.at(-1).parts[0].functionResponse.response), /21 C and sunny/);
  });
});

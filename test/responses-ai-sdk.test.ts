import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { APICallError } from '@ai-sdk/provider';
import { generateText, jsonSchema, Output, stepCountIs, streamText, tool } from 'ai';
import { buildPdfPages } from './fixtures/pdf-pages.js';
import {
  checkedStreamEvents,
  type RecordedProvider,
  recordedProvider,
  responseCreations,
} from './helpers/ai-sdk-responses.js';
import { responseResourceProblems } from './helpers/open-responses-spec.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { chatRequests, contentText } from './helpers/run-helpers.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';

/*
 * The Vercel AI SDK (`ai` 6, `@ai-sdk/openai` 3) in Responses mode against our `/v1`:
 * `createOpenAI({ baseURL, apiKey }).responses(model)` with `generateText` and `streamText`, text, function tools
 * with `execute` over several steps, and structured output. The scripted upstream plays the model.
 *
 * What the SDK sends (pinned below, see /tmp/ai-sdk-responses-report.md): every step is a new `POST /v1/responses`
 * without `previous_response_id` or `store`, replaying the whole conversation as `input` — input messages without
 * `type`, the previous step's assistant text as `{ type: 'item_reference', id: <message item id> }`, its function
 * calls as `function_call` items (no `id`) and the results as `function_call_output` items.
 */

type Parts = Array<{ type: string; [key: string]: any }>;

const weatherInputSchema = jsonSchema<{ city: string }>({
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
});

const TEMPERATURES: Record<string, number> = { Oslo: -5, Bergen: 3 };

/** A `get_weather` tool executed in the client, recording the inputs it was called with. */
function weatherTool(calls: Array<{ city: string }>) {
  return tool({
    description: 'Current weather for a city',
    inputSchema: weatherInputSchema,
    execute: async ({ city }) => {
      calls.push({ city });
      return { city, temperature: TEMPERATURES[city] ?? 0 };
    },
  });
}

const forecastSchema = jsonSchema<{ city: string; temperature: number }>({
  type: 'object',
  properties: { city: { type: 'string' }, temperature: { type: 'number' } },
  required: ['city', 'temperature'],
  additionalProperties: false,
});

let fixture: RunFixture;
let recorded: RecordedProvider;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});
after(() => fixture.close());
beforeEach(() => {
  fixture.upstream.reset();
  recorded = recordedProvider(fixture.server);
});

async function collect(stream: AsyncIterable<{ type: string }>): Promise<Parts> {
  const parts: Parts = [];
  for await (const part of stream) parts.push(part as Parts[number]);
  return parts;
}

/** Part types with runs of the same delta type collapsed (the server may batch or split deltas). */
function partOrder(parts: Parts): string[] {
  return parts
    .map((part) => part.type)
    .filter((type, index, types) => !(type.endsWith('-delta') && types[index - 1] === type));
}

function upstreamMessages(index: number): Array<Record<string, any>> {
  const request = chatRequests(fixture)[index];
  assert.ok(request, `expected upstream chat request #${index}`);
  return request.body.messages as Array<Record<string, any>>;
}

describe('AI SDK generateText in Responses mode', () => {
  test('text: one POST /v1/responses; text, finish reason, usage and the stored response id', async () => {
    fixture.upstream.script({ text: 'Hello from the engine.', usage: { promptTokens: 11, completionTokens: 4 } });
    const result = await generateText({
      model: recorded.model('gpt-4o-mini'),
      system: 'You are terse.',
      prompt: 'Say hello.',
      maxRetries: 0,
    });

    assert.equal(result.text, 'Hello from the engine.');
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.usage.inputTokens, 11);
    assert.equal(result.usage.outputTokens, 4);
    assert.equal(result.usage.totalTokens, 15);
    assert.match(result.response.id, /^resp_/);
    assert.equal(result.response.modelId, 'gpt-4o-mini');
    const [creation] = responseCreations(recorded);
    assert.equal(responseCreations(recorded).length, 1);
    assert.deepEqual(responseResourceProblems(creation!.json), []);
    assert.equal(creation!.json!.id, result.response.id);

    const messages = upstreamMessages(0);
    assert.ok(
      messages.some((message) => message.role === 'system' && contentText(message).includes('You are terse.')),
      `the system prompt reaches the model: ${JSON.stringify(messages)}`,
    );
    assert.equal(contentText(messages.at(-1)!), 'Say hello.');
    // The SDK leaves `store` unset: the response is kept and can be read back.
    const stored = await fixture.client.responses.retrieve(result.response.id);
    assert.equal(stored.status, 'completed');
    assert.equal(stored.output_text, 'Hello from the engine.');
  });

  test('a function tool with execute runs over two steps; the second request replays the first by reference', async () => {
    fixture.upstream.script(
      {
        text: 'Let me check.',
        toolCalls: [{ id: 'call_sdk_generate', name: 'get_weather', arguments: { city: 'Oslo' } }],
      },
      { text: 'It is -5 C in Oslo.' },
    );
    const calls: Array<{ city: string }> = [];
    const result = await generateText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'Weather in Oslo?',
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });

    assert.deepEqual(calls, [{ city: 'Oslo' }]);
    assert.equal(result.steps.length, 2);
    const [first, second] = result.steps;
    assert.equal(first!.finishReason, 'tool-calls');
    assert.equal(first!.text, 'Let me check.');
    assert.deepEqual(
      first!.toolCalls.map((call) => [call.toolCallId, call.toolName, call.input]),
      [['call_sdk_generate', 'get_weather', { city: 'Oslo' }]],
    );
    assert.deepEqual(
      first!.toolResults.map((toolResult) => toolResult.output),
      [{ city: 'Oslo', temperature: -5 }],
    );
    assert.equal(second!.finishReason, 'stop');
    assert.equal(result.text, 'It is -5 C in Oslo.');

    const creations = responseCreations(recorded);
    assert.equal(creations.length, 2);
    const firstMessage = creations[0]!.json!.output.find((item: Record<string, any>) => item.type === 'message');
    const replay = creations[1]!.request!;
    assert.equal(replay.previous_response_id, undefined);
    assert.deepEqual(
      (replay.input as Array<Record<string, any>>).map((item) => item.type ?? `message:${item.role}`),
      ['message:user', 'item_reference', 'function_call', 'function_call_output'],
    );
    assert.equal(replay.input[1].id, firstMessage.id);
    assert.deepEqual(creations[1]!.json!.output.at(-1).content[0].text, 'It is -5 C in Oslo.');

    // The engine gave the model the whole exchange: the referenced text, the call and its result.
    const messages = upstreamMessages(1);
    const assistant = messages.filter((message) => message.role === 'assistant');
    assert.ok(
      assistant.some((message) => contentText(message).includes('Let me check.')),
      JSON.stringify(messages),
    );
    assert.ok(
      assistant.some((message) =>
        (message.tool_calls ?? []).some(
          (call: Record<string, any>) => call.id === 'call_sdk_generate' && call.function.name === 'get_weather',
        ),
      ),
      `the replayed call reaches the model: ${JSON.stringify(messages)}`,
    );
    const toolMessage = messages.find((message) => message.role === 'tool');
    assert.equal(toolMessage?.tool_call_id, 'call_sdk_generate');
    assert.deepEqual(JSON.parse(toolMessage?.content), { city: 'Oslo', temperature: -5 });
  });

  test('store: false over two steps: the first step is replayed in full (text with its old item id), nothing kept', async () => {
    fixture.upstream.script(
      {
        text: 'Checking Bergen.',
        toolCalls: [{ id: 'call_sdk_unstored', name: 'get_weather', arguments: { city: 'Bergen' } }],
      },
      { text: 'It is 3 C in Bergen.' },
    );
    const calls: Array<{ city: string }> = [];
    const result = await generateText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'Weather in Bergen?',
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
      providerOptions: { openai: { store: false } },
      maxRetries: 0,
    });

    assert.equal(result.text, 'It is 3 C in Bergen.');
    assert.deepEqual(calls, [{ city: 'Bergen' }]);
    const [first, second] = responseCreations(recorded);
    assert.equal(first!.request!.store, false);
    assert.equal(first!.json!.store, false);
    const firstMessage = first!.json!.output.find((item: Record<string, any>) => item.type === 'message');
    const replay = second!.request!.input as Array<Record<string, any>>;
    assert.deepEqual(
      replay.map((item) => item.type ?? `message:${item.role}`),
      ['message:user', 'message:assistant', 'function_call', 'function_call_output'],
    );
    assert.equal(replay[1]!.id, firstMessage.id, 'the SDK sends the old item id with the replayed text');
    const messages = upstreamMessages(1);
    const assistant = messages.filter((message) => message.role === 'assistant');
    assert.ok(
      assistant.some((message) => contentText(message) === 'Checking Bergen.'),
      `the replayed text reaches the model: ${JSON.stringify(messages)}`,
    );
    assert.ok(
      assistant.some((message) => message.tool_calls?.[0]?.id === 'call_sdk_unstored'),
      `the replayed call reaches the model: ${JSON.stringify(messages)}`,
    );
    assert.deepEqual(JSON.parse(messages.find((message) => message.role === 'tool')!.content), {
      city: 'Bergen',
      temperature: 3,
    });
    // Neither response is kept.
    for (const creation of [first, second]) {
      await assert.rejects(fixture.client.responses.retrieve(creation!.json!.id), { status: 404 });
    }
  });

  test('a conversation: each step appends to it; the second sends only the tool output for the stored call', async () => {
    const conversation = await fixture.client.conversations.create({});
    fixture.upstream.script(
      { toolCalls: [{ id: 'call_sdk_conversation', name: 'get_weather', arguments: { city: 'Oslo' } }] },
      { text: 'Oslo: -5 C.' },
    );
    const calls: Array<{ city: string }> = [];
    const result = await generateText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'Weather in Oslo?',
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(3),
      providerOptions: { openai: { conversation: conversation.id } },
      maxRetries: 0,
    });

    assert.equal(result.text, 'Oslo: -5 C.');
    const [first, second] = responseCreations(recorded);
    assert.equal(first!.request!.conversation, conversation.id);
    assert.deepEqual(first!.json!.conversation, { id: conversation.id });
    const replay = second!.request!.input as Array<Record<string, any>>;
    assert.ok(
      !replay.some((item) => item.type === 'function_call'),
      `the stored call is not sent again: ${JSON.stringify(replay)}`,
    );
    assert.ok(replay.some((item) => item.type === 'function_call_output' && item.call_id === 'call_sdk_conversation'));
    // The model sees the call (from the conversation) answered by its output.
    const messages = upstreamMessages(1);
    const callAt = messages.findIndex((message) =>
      (message.tool_calls ?? []).some((call: Record<string, any>) => call.id === 'call_sdk_conversation'),
    );
    const outputAt = messages.findIndex(
      (message) => message.role === 'tool' && message.tool_call_id === 'call_sdk_conversation',
    );
    assert.ok(callAt >= 0 && outputAt > callAt, JSON.stringify(messages));
    const items = await fixture.client.conversations.items.list(conversation.id, { order: 'asc' });
    assert.deepEqual(
      items.data.map((item) => item.type),
      ['message', 'function_call', 'message', 'function_call_output', 'message'],
      'the prompt, the call, the prompt again (the SDK re-sends it), the output, the answer',
    );
  });

  test('structured output: Output.object sends text.format json_schema and parses the JSON answer', async () => {
    fixture.upstream.script({ text: '{"city":"Oslo","temperature":-5}' });
    const result = await generateText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'Forecast for Oslo as JSON.',
      output: Output.object({ schema: forecastSchema }),
      maxRetries: 0,
    });

    assert.deepEqual(result.output, { city: 'Oslo', temperature: -5 });
    const [creation] = responseCreations(recorded);
    const format = creation!.request!.text.format;
    assert.deepEqual(
      { type: format.type, name: format.name, strict: format.strict },
      { type: 'json_schema', name: 'response', strict: true },
    );
    assert.deepEqual(creation!.json!.text.format.schema, format.schema);
    const responseFormat = chatRequests(fixture)[0]!.body.response_format;
    assert.equal(responseFormat?.type, 'json_schema');
    assert.deepEqual(responseFormat.json_schema.schema, format.schema);
  });

  test('a PDF file part goes as an input_file with file_data; the model reads its text', async () => {
    fixture.upstream.script({ text: 'Annual Report 2025' });
    const pdf = buildPdfPages(['Annual Report 2025', 'Prepared by the finance team']);
    const result = await generateText({
      model: recorded.model('gpt-4o-mini'),
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the title of this document?' },
            { type: 'file', data: pdf, mediaType: 'application/pdf', filename: 'report.pdf' },
          ],
        },
      ],
      maxRetries: 0,
    });

    assert.equal(result.text, 'Annual Report 2025');
    const [creation] = responseCreations(recorded);
    const part = creation!.request!.input[0].content[1];
    assert.deepEqual({ type: part.type, filename: part.filename }, { type: 'input_file', filename: 'report.pdf' });
    assert.match(part.file_data, /^data:application\/pdf;base64,/);
    const user = upstreamMessages(0).findLast((message) => message.role === 'user')!;
    assert.match(
      contentText(user),
      /What is the title of this document\?\s*<file name="report\.pdf">[\s\S]*Annual Report 2025[\s\S]*Prepared by the finance team[\s\S]*<\/file>/,
    );
  });

  test('a response that fails upstream rejects with an APICallError carrying the failure message', async () => {
    fixture.upstream.script({
      error: { status: 400, message: 'The prompt is too long.', type: 'invalid_request_error' },
    });
    const failure = await generateText({ model: recorded.model('gpt-4o-mini'), prompt: 'Hi', maxRetries: 0 }).then(
      () => assert.fail('generateText resolved'),
      (error: unknown) => error,
    );

    assert.ok(APICallError.isInstance(failure), String(failure));
    const [creation] = responseCreations(recorded);
    // Either answer reaches the SDK's user with the failure's message: a 200 response object with status `failed`
    // (whose `error` must then carry a `type` as well, or the SDK reports only "Invalid JSON response"), or an HTTP
    // error in OpenAI's error shape.
    if (creation!.status === 200) {
      assert.equal(creation!.json!.status, 'failed');
      assert.deepEqual(responseResourceProblems(creation!.json), []);
    } else {
      assert.ok(creation!.status >= 400, `status ${creation!.status}`);
    }
    assert.equal(chatRequests(fixture).length, 1, 'the request reached the model');
    assert.match(creation!.json!.error.message, /The prompt is too long\./);
    assert.equal(failure.message, creation!.json!.error.message);
  });
});

describe('AI SDK streamText in Responses mode', () => {
  test('text: deltas arrive as one text block with the message item id, then finish', async () => {
    fixture.upstream.script({ text: ['Hel', 'lo ', 'world.'], usage: { promptTokens: 9, completionTokens: 3 } });
    const result = streamText({ model: recorded.model('gpt-4o-mini'), prompt: 'Greet the world.', maxRetries: 0 });
    const parts = await collect(result.fullStream);

    assert.deepEqual(partOrder(parts), [
      'start',
      'start-step',
      'text-start',
      'text-delta',
      'text-end',
      'finish-step',
      'finish',
    ]);
    assert.equal(await result.text, 'Hello world.');
    assert.equal(await result.finishReason, 'stop');
    const usage = await result.usage;
    assert.deepEqual([usage.inputTokens, usage.outputTokens], [9, 3]);
    const events = await checkedStreamEvents(responseCreations(recorded)[0]!);
    const message = events.find(({ data }) => data.type === 'response.output_item.added')!.data.item;
    assert.equal(parts.find((part) => part.type === 'text-start')!.id, message.id);
    assert.match((await result.response).id, /^resp_/);
  });

  test('function tools with execute run over three steps; argument deltas stream into each call', async () => {
    fixture.upstream.script(
      {
        toolCalls: [
          { id: 'call_sdk_stream_oslo', name: 'get_weather', arguments: { city: 'Oslo' }, argumentChunks: 3 },
        ],
      },
      { toolCalls: [{ id: 'call_sdk_stream_bergen', name: 'get_weather', arguments: { city: 'Bergen' } }] },
      { text: ['Oslo is -5 C, ', 'Bergen is 3 C.'] },
    );
    const calls: Array<{ city: string }> = [];
    const result = streamText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'Weather in Oslo, then in Bergen?',
      tools: { get_weather: weatherTool(calls) },
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });
    const parts = await collect(result.fullStream);

    assert.equal(
      parts.filter((part) => part.type === 'error').length,
      0,
      JSON.stringify(parts.find((p) => p.type === 'error')),
    );
    assert.deepEqual(calls, [{ city: 'Oslo' }, { city: 'Bergen' }]);
    assert.deepEqual(
      parts.filter((part) => part.type === 'tool-call').map((part) => [part.toolCallId, part.input]),
      [
        ['call_sdk_stream_oslo', { city: 'Oslo' }],
        ['call_sdk_stream_bergen', { city: 'Bergen' }],
      ],
    );
    for (const id of ['call_sdk_stream_oslo', 'call_sdk_stream_bergen']) {
      const streamed = parts.filter((part) => part.type === 'tool-input-delta' && part.id === id);
      const call = parts.find((part) => part.type === 'tool-call' && part.toolCallId === id)!;
      assert.deepEqual(JSON.parse(streamed.map((part) => part.delta).join('')), call.input);
    }
    assert.deepEqual(
      parts.filter((part) => part.type === 'tool-result').map((part) => part.output),
      [
        { city: 'Oslo', temperature: -5 },
        { city: 'Bergen', temperature: 3 },
      ],
    );
    assert.equal((await result.steps).length, 3);
    assert.equal(await result.text, 'Oslo is -5 C, Bergen is 3 C.');
    assert.equal(await result.finishReason, 'stop');

    const creations = responseCreations(recorded);
    assert.equal(creations.length, 3);
    for (const creation of creations) await checkedStreamEvents(creation);
    const toolStep = (await creations[0]!.events!).map(({ data }) => data.type);
    assert.deepEqual(
      toolStep.filter((type) => type !== 'response.function_call_arguments.delta' && type !== 'response.in_progress'),
      [
        'response.created',
        'response.output_item.added',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    const lastInput = creations[2]!.request!.input as Array<Record<string, any>>;
    assert.deepEqual(
      lastInput.map((item) => (item.type ? `${item.type}:${item.call_id ?? ''}` : `message:${item.role}`)),
      [
        'message:user',
        'function_call:call_sdk_stream_oslo',
        'function_call_output:call_sdk_stream_oslo',
        'function_call:call_sdk_stream_bergen',
        'function_call_output:call_sdk_stream_bergen',
      ],
    );
    const toolMessages = upstreamMessages(2).filter((message) => message.role === 'tool');
    assert.deepEqual(
      toolMessages.map((message) => [message.tool_call_id, JSON.parse(message.content)]),
      [
        ['call_sdk_stream_oslo', { city: 'Oslo', temperature: -5 }],
        ['call_sdk_stream_bergen', { city: 'Bergen', temperature: 3 }],
      ],
    );
  });

  test('structured output: partial objects stream and the final output matches the schema', async () => {
    fixture.upstream.script({ text: ['{"city":', '"Oslo",', '"temperature":-5}'] });
    const result = streamText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'Forecast for Oslo as JSON.',
      output: Output.object({ schema: forecastSchema }),
      maxRetries: 0,
    });
    const partials: unknown[] = [];
    for await (const partial of result.partialOutputStream) partials.push(partial);

    assert.ok(partials.length >= 1, 'partial objects streamed');
    assert.deepEqual(partials.at(-1), { city: 'Oslo', temperature: -5 });
    assert.deepEqual(await result.output, { city: 'Oslo', temperature: -5 });
    const [creation] = responseCreations(recorded);
    assert.equal(creation!.request!.text.format.type, 'json_schema');
    await checkedStreamEvents(creation!);
  });

  test('a response that fails upstream ends the stream with an error part and no text', async () => {
    fixture.upstream.script({
      error: { status: 400, message: 'The prompt is too long.', type: 'invalid_request_error' },
    });
    const result = streamText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'Hi',
      maxRetries: 0,
      onError: () => {}, // the error is read from the stream below; the default handler only logs it
    });
    const parts = await collect(result.fullStream);

    const errors = parts.filter((part) => part.type === 'error');
    assert.equal(errors.length, 1, JSON.stringify(partOrder(parts)));
    assert.equal(parts.filter((part) => part.type === 'text-delta').length, 0);
    const events = await checkedStreamEvents(responseCreations(recorded)[0]!);
    const failed = events.at(-1)!.data;
    assert.equal(failed.type, 'response.failed');
    assert.equal(chatRequests(fixture).length, 1, 'the request reached the model');
    assert.match(failed.response.error.message, /The prompt is too long\./);
    const error = errors[0]!.error as unknown;
    assert.ok(APICallError.isInstance(error), String(error));
    assert.equal(error.message, failed.response.error.message);
  });
});

describe('AI SDK with a built-in tool', () => {
  test('file_search as a provider tool: the server searches, the call and its results reach the stream', async () => {
    const file = await uploadFile(fixture.client, 'france.txt', 'The capital of France is Paris. It is on the Seine.');
    const store = await fixture.client.vectorStores.create({ name: 'ai-sdk', file_ids: [file.id] });
    assert.equal((await waitForStore(fixture.client, store.id)).file_counts.completed, 1);
    fixture.upstream.script(
      { toolCalls: [{ id: 'call_sdk_search', name: 'file_search', arguments: { queries: ['capital of France'] } }] },
      { text: 'Paris is the capital of France.' },
    );
    const result = streamText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'What is the capital of France? Search the files.',
      tools: { file_search: recorded.tools.fileSearch({ vectorStoreIds: [store.id], maxNumResults: 3 }) },
      providerOptions: { openai: { include: ['file_search_call.results'] } },
      maxRetries: 0,
    });
    const parts = await collect(result.fullStream);

    assert.deepEqual(
      parts.filter((part) => part.type === 'error'),
      [],
    );
    const call = parts.find((part) => part.type === 'tool-call');
    const searched = parts.find((part) => part.type === 'tool-result');
    assert.equal(call?.toolName, 'file_search');
    assert.equal(call?.providerExecuted, true);
    assert.equal(searched?.toolCallId, call?.toolCallId);
    assert.deepEqual(searched?.output.queries, ['capital of France']);
    assert.equal(searched?.output.results[0]?.fileId, file.id);
    assert.match(searched?.output.results[0]?.text ?? '', /Paris/);
    assert.equal(await result.text, 'Paris is the capital of France.');
    assert.equal((await result.steps).length, 1, 'a provider-executed tool needs no client step');

    const creations = responseCreations(recorded);
    assert.equal(creations.length, 1);
    assert.deepEqual(creations[0]!.request!.tools, [
      { type: 'file_search', vector_store_ids: [store.id], max_num_results: 3 },
    ]);
    assert.deepEqual(creations[0]!.request!.include, ['file_search_call.results']);
    // OpenAI's file_search events are not in the Open Responses event union: checked against our contract only.
    const events = await checkedStreamEvents(creations[0]!, { openResponses: false });
    const searchEvents = events
      .map(({ data }) => data.type)
      .filter((type) => type.startsWith('response.file_search_call.'));
    assert.deepEqual(searchEvents, [
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
    ]);
  });
});

describe('AI SDK with code_interpreter', () => {
  test('code_interpreter as a provider tool: code streams into the call, the sandbox runs it, outputs reach the stream', {
    timeout: 120_000,
  }, async () => {
    fixture.upstream.script(
      { toolCalls: [{ id: 'call_sdk_code', name: 'code_interpreter', arguments: { code: 'print(6*7)' } }] },
      { text: 'The answer is 42.' },
    );
    const result = streamText({
      model: recorded.model('gpt-4o-mini'),
      prompt: 'What is 6 times 7? Use Python.',
      tools: { code_interpreter: recorded.tools.codeInterpreter({ container: { fileIds: [] } }) },
      maxRetries: 0,
    });
    const parts = await collect(result.fullStream);

    assert.deepEqual(
      parts.filter((part) => part.type === 'error'),
      [],
    );
    const call = parts.find((part) => part.type === 'tool-call');
    const ran = parts.find((part) => part.type === 'tool-result');
    assert.equal(call?.toolName, 'code_interpreter');
    assert.equal(call?.providerExecuted, true);
    assert.equal(call?.input.code, 'print(6*7)');
    assert.ok(
      parts.findIndex((part) => part.type === 'tool-call') < parts.findIndex((part) => part.type === 'tool-result'),
      'the call comes before its result',
    );
    assert.equal(ran?.toolCallId, call?.toolCallId);
    assert.match(call?.input.containerId ?? '', /^cntr_/, 'the container the code ran in');
    assert.deepEqual(ran?.output.outputs, [{ type: 'logs', logs: '42' }]);
    assert.equal(await result.text, 'The answer is 42.');

    const [creation] = responseCreations(recorded);
    assert.deepEqual(creation!.request!.include, ['code_interpreter_call.outputs']);
    // OpenAI's code_interpreter events are not in the Open Responses event union: checked against our contract only.
    const events = await checkedStreamEvents(creation!, { openResponses: false });
    const codeEvents = events.map(({ data }) => data.type).filter((type) => type.includes('code_interpreter'));
    assert.deepEqual(
      codeEvents.filter((type) => !type.endsWith('.delta')),
      [
        'response.code_interpreter_call.in_progress',
        'response.code_interpreter_call_code.done',
        'response.code_interpreter_call.interpreting',
        'response.code_interpreter_call.completed',
      ],
    );
  });
});

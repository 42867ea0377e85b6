import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { buildPdfWithoutXref } from './fixtures/minimal-pdf.js';
import { buildSolidPng } from './fixtures/png-image.js';
import { responsesContract, validateAgainst } from './helpers/contract-fetch.js';
import { responseResourceProblems, streamEventProblems } from './helpers/open-responses-spec.js';
import {
  createResponseJson,
  createResponseStream,
  outputText,
  type ResponsesSseEvent,
  terminalResponse,
} from './helpers/responses-http.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { chatRequests, contentText, lastToolOutput } from './helpers/run-helpers.js';
import { waitForStore } from './helpers/vector-store-helpers.js';
import type { RecordedRequest } from './upstream/index.js';

/*
 * The Open Responses project's compliance suite (openresponses/openresponses, `src/lib/compliance-tests.ts`, run by
 * `bin/compliance-test.ts` with `--base-url`, `--api-key`, `--model`) against our `/v1`, with the scripted upstream
 * playing the model. The suite is not published on npm, so each of its HTTP checks is reproduced here: the same
 * request (model gpt-4o-mini, its default) and the same validators — the response parses against the spec's
 * `ResponseResource` (test/helpers/open-responses-spec.ts), then the check's own conditions. Each test names the
 * check it reproduces; where the suite cannot see whether the server did the right thing (the model is real there),
 * the test also asserts what the upstream was sent. Not reproduced: the WebSocket checks (`websocket-*`, Responses
 * over WebSocket and `/responses/compact`, outside issue #14) and `offline-web-search` (web_search is not served).
 */

const MODEL = 'gpt-4o-mini';

/** The function tool the suite's tool checks declare. */
const GET_WEATHER = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather for a location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
    required: ['location'],
  },
};

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

/** The suite's schema step, plus our own contract (the server's responses must satisfy both). */
function assertConformingResponse(response: Record<string, any>): void {
  assert.deepEqual(responseResourceProblems(response), [], 'the response violates the Open Responses spec');
  assert.deepEqual(validateAgainst('Response', response, responsesContract), [], 'the response violates our contract');
}

/** The suite's `streamingEvents` and `streamingSchema` validators, plus our contract and numbering. */
function assertConformingStream(events: readonly ResponsesSseEvent[]): Record<string, any> {
  assert.ok(events.length > 0, 'No streaming events received');
  for (const { event, data } of events) {
    assert.equal(event, data.type, 'the SSE event name is the data type');
    assert.deepEqual(streamEventProblems(data), [], `event ${data.type} violates the Open Responses spec`);
    assert.deepEqual(validateAgainst('ResponseStreamEvent', data, responsesContract), [], `${data.type} vs contract`);
  }
  assert.deepEqual(
    events.map(({ data }) => data.sequence_number),
    events.map((_, index) => index),
    'sequence_number counts from 0 without gaps',
  );
  assert.equal(events[0]!.data.type, 'response.created');
  const final = terminalResponse(events);
  assert.ok(final, 'the stream ends with response.completed, .failed or .incomplete');
  assertConformingResponse(final);
  return final;
}

/** The suite's `hasOutput` and `completedStatus` validators. */
function assertCompletedWithOutput(response: Record<string, any>): void {
  assert.ok(response.output.length > 0, 'Response has no output items');
  assert.equal(response.status, 'completed');
}

function lastUserText(request: RecordedRequest): string {
  const messages = request.body.messages as Array<Record<string, any>>;
  return contentText(messages.findLast((message) => message.role === 'user') ?? {});
}

describe('Open Responses compliance checks', () => {
  test('basic-response: a user message gets a completed response that parses as a ResponseResource', async () => {
    fixture.upstream.script({ text: 'Hello there, friend.' });
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: [{ type: 'message', role: 'user', content: 'Say hello in exactly 3 words.' }],
    });
    assertConformingResponse(response);
    assertCompletedWithOutput(response);
    assert.equal(outputText(response), 'Hello there, friend.');
    assert.equal(lastUserText(chatRequests(fixture)[0]!), 'Say hello in exactly 3 words.');
  });

  test('streaming-response: every SSE event conforms and the final response is completed', async () => {
    fixture.upstream.script({ text: ['1, ', '2, ', '3, ', '4, ', '5.'] });
    const events = await createResponseStream(fixture.server, {
      model: MODEL,
      input: [{ type: 'message', role: 'user', content: 'Count from 1 to 5.' }],
    });
    const final = assertConformingStream(events);
    assert.equal(final.status, 'completed');
    const deltas = events.filter(({ data }) => data.type === 'response.output_text.delta');
    assert.equal(deltas.map(({ data }) => data.delta).join(''), '1, 2, 3, 4, 5.');
    assert.equal(outputText(final), '1, 2, 3, 4, 5.');
  });

  test('system-prompt: a system message in the input reaches the model and the response completes', async () => {
    fixture.upstream.script({ text: 'Ahoy, matey!' });
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: [
        { type: 'message', role: 'system', content: 'You are a pirate. Always respond in pirate speak.' },
        { type: 'message', role: 'user', content: 'Say hello.' },
      ],
    });
    assertConformingResponse(response);
    assertCompletedWithOutput(response);
    const messages = chatRequests(fixture)[0]!.body.messages as Array<Record<string, any>>;
    const system = messages.filter((message) => message.role === 'system' || message.role === 'developer');
    assert.ok(
      system.some((message) => contentText(message).includes('You are a pirate. Always respond in pirate speak.')),
      `the system message reaches the model: ${JSON.stringify(messages)}`,
    );
  });

  test('tool-calling: a function tool call comes back as a function_call output item', async () => {
    fixture.upstream.script({
      toolCalls: [{ id: 'call_compliance_tool', name: 'get_weather', arguments: { location: 'San Francisco, CA' } }],
    });
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: [{ type: 'message', role: 'user', content: "What's the weather like in San Francisco?" }],
      tools: [GET_WEATHER],
    });
    assertConformingResponse(response);
    assert.ok(response.output.length > 0, 'Response has no output items');
    const call = response.output.find((item: Record<string, any>) => item.type === 'function_call');
    assert.ok(call, 'Expected output item of type "function_call" but none found');
    assert.equal(call.call_id, 'call_compliance_tool');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { location: 'San Francisco, CA' });
    const upstreamTools = chatRequests(fixture)[0]!.body.tools as Array<Record<string, any>>;
    assert.deepEqual(
      upstreamTools.map((tool) => tool.function.name),
      ['get_weather'],
    );
  });

  test('tool-calling-streaming: the function call streams as item added, argument deltas, arguments done, item done', async () => {
    fixture.upstream.script({
      toolCalls: [
        {
          id: 'call_compliance_stream',
          name: 'get_weather',
          arguments: { location: 'San Francisco, CA' },
          argumentChunks: 4,
        },
      ],
    });
    const events = await createResponseStream(fixture.server, {
      model: MODEL,
      input: [{ type: 'message', role: 'user', content: "What's the weather like in San Francisco?" }],
      tools: [GET_WEATHER],
    });
    assertConformingStream(events);
    const types = events.map(({ data }) => data.type);
    const added = types.findIndex(
      (type, index) => type === 'response.output_item.added' && events[index]!.data.item?.type === 'function_call',
    );
    const firstDelta = types.indexOf('response.function_call_arguments.delta');
    const argumentsDone = types.indexOf('response.function_call_arguments.done');
    const itemDone = types.findIndex(
      (type, index) => type === 'response.output_item.done' && events[index]!.data.item?.type === 'function_call',
    );
    assert.ok(added >= 0, 'Missing response.output_item.added event with function_call item');
    assert.ok(firstDelta >= 0, 'Missing response.function_call_arguments.delta event');
    assert.ok(argumentsDone >= 0, 'Missing response.function_call_arguments.done event');
    assert.ok(itemDone >= 0, 'Missing response.output_item.done event with function_call item');
    assert.ok(
      added < firstDelta && firstDelta < argumentsDone && argumentsDone < itemDone,
      `order: ${types.join(', ')}`,
    );
    const deltas = events.filter(({ data }) => data.type === 'response.function_call_arguments.delta');
    const item = events[itemDone]!.data.item;
    assert.equal(deltas.map(({ data }) => data.delta).join(''), events[argumentsDone]!.data.arguments);
    assert.equal(events[argumentsDone]!.data.arguments, item.arguments);
    assert.deepEqual(JSON.parse(item.arguments), { location: 'San Francisco, CA' });
    assert.ok(
      [...deltas, events[argumentsDone]!].every(({ data }) => data.item_id === item.id),
      'argument events name the item',
    );
  });

  test('function-call-roundtrip: a forced call, then its output with previous_response_id, completes', async () => {
    fixture.upstream.script(
      {
        toolCalls: [
          { id: 'call_compliance_roundtrip', name: 'get_weather', arguments: { location: 'San Francisco, CA' } },
        ],
      },
      { text: 'It is 64 degrees and clear in San Francisco.' },
    );
    const first = await createResponseJson(fixture.server, {
      model: MODEL,
      input: 'Use the weather tool to get the temperature in San Francisco.',
      tools: [GET_WEATHER],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    assertConformingResponse(first);
    const call = first.output.find((item: Record<string, any>) => item.type === 'function_call');
    assert.ok(call?.call_id, 'First response did not include a function_call with call_id');
    assert.deepEqual(chatRequests(fixture)[0]!.body.tool_choice, {
      type: 'function',
      function: { name: 'get_weather' },
    });

    const second = await createResponseJson(fixture.server, {
      model: MODEL,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '64 degrees and clear' }],
    });
    assertConformingResponse(second);
    assertCompletedWithOutput(second);
    assert.equal(second.previous_response_id, first.id);
    assert.equal(outputText(second), 'It is 64 degrees and clear in San Francisco.');
    const followUp = chatRequests(fixture)[1]!;
    assert.equal(lastToolOutput(followUp), '64 degrees and clear');
  });

  test('image-input: an input_image data URL reaches the model (same bytes) and the response completes', async () => {
    fixture.upstream.script({ text: 'A red square.' });
    const png = buildSolidPng(32, 32, [220, 20, 60]).toString('base64');
    const imageUrl = `data:image/png;base64,${png}`;
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What do you see in this image? Answer in one sentence.' },
            { type: 'input_image', image_url: imageUrl },
          ],
        },
      ],
    });
    assertConformingResponse(response);
    assertCompletedWithOutput(response);
    const user = (chatRequests(fixture)[0]!.body.messages as Array<Record<string, any>>).findLast(
      (message) => message.role === 'user',
    )!;
    const parts = user.content as Array<Record<string, any>>;
    assert.ok(
      parts.some((part) => part.type === 'image_url' && String(part.image_url?.url).endsWith(png)),
      `the image reaches the model: ${JSON.stringify(parts).slice(0, 300)}`,
    );
  });

  test('file-input: a base64 input_file PDF is accepted and the response completes', async () => {
    fixture.upstream.script({ text: 'Assistants Server File Input Fixture' });
    // Like the suite's fixture: a small hand-written PDF 1.1 without a cross-reference table.
    const pdf = Buffer.from(buildPdfWithoutXref('Title: Assistants Server File Input Fixture')).toString('base64');
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Read the attached file and answer with its title only.' },
            {
              type: 'input_file',
              filename: 'openresponses-fixture.pdf',
              file_data: `data:application/pdf;base64,${pdf}`,
            },
          ],
        },
      ],
    });
    assertConformingResponse(response);
    assertCompletedWithOutput(response);
    // The file reaches the model as its text, beside the question.
    const question = lastUserText(chatRequests(fixture)[0]!);
    assert.match(question, /Read the attached file and answer with its title only\./);
    assert.match(
      question,
      /<file name="openresponses-fixture\.pdf">\s*Title: Assistants Server File Input Fixture\s*<\/file>/,
    );
  });

  test('multi-turn: user, assistant and user messages reach the model in order', async () => {
    fixture.upstream.script({ text: 'Your name is Alice.' });
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: [
        { type: 'message', role: 'user', content: 'My name is Alice.' },
        { type: 'message', role: 'assistant', content: 'Hello Alice! Nice to meet you. How can I help you today?' },
        { type: 'message', role: 'user', content: 'What is my name?' },
      ],
    });
    assertConformingResponse(response);
    assertCompletedWithOutput(response);
    const turns = (chatRequests(fixture)[0]!.body.messages as Array<Record<string, any>>)
      .filter((message) => message.role === 'user' || message.role === 'assistant')
      .map((message) => [message.role, contentText(message)]);
    assert.deepEqual(turns, [
      ['user', 'My name is Alice.'],
      ['assistant', 'Hello Alice! Nice to meet you. How can I help you today?'],
      ['user', 'What is my name?'],
    ]);
  });

  test('previous-response-id: the second response sees the first exchange', async () => {
    fixture.upstream.script({ text: 'OK' }, (request) => ({
      text: JSON.stringify(request.body.messages).includes('papaya') ? 'papaya' : 'I was told no code word.',
    }));
    const first = await createResponseJson(fixture.server, {
      model: MODEL,
      input: 'Remember this code word: papaya. Reply with only OK.',
    });
    assertConformingResponse(first);
    const second = await createResponseJson(fixture.server, {
      model: MODEL,
      previous_response_id: first.id,
      input: 'What code word did I ask you to remember?',
    });
    assertConformingResponse(second);
    assertCompletedWithOutput(second);
    assert.equal(outputText(second), 'papaya');
    const turns = (chatRequests(fixture)[1]!.body.messages as Array<Record<string, any>>)
      .filter((message) => message.role === 'user' || message.role === 'assistant')
      .map((message) => [message.role, contentText(message)]);
    assert.deepEqual(turns, [
      ['user', 'Remember this code word: papaya. Reply with only OK.'],
      ['assistant', 'OK'],
      ['user', 'What code word did I ask you to remember?'],
    ]);
  });

  test('file-search: a forced file_search over a vector store returns a file_search_call item with results', async () => {
    const file = await fixture.client.files.create({
      file: await OpenAI.toFile(
        Buffer.from('The capital of France is Paris. The Eiffel Tower is 330 metres tall.'),
        'france.txt',
      ),
      purpose: 'assistants',
    });
    const created = await fixture.client.vectorStores.create({ name: 'compliance', file_ids: [file.id] });
    const store = await waitForStore(fixture.client, created.id);
    assert.equal(store.file_counts.completed, 1);
    fixture.upstream.script(
      {
        toolCalls: [
          { id: 'call_compliance_search', name: 'file_search', arguments: { queries: ['capital of France'] } },
        ],
      },
      { text: 'The capital of France is Paris.' },
    );
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: 'Search the configured vector store for relevant content and summarize one result.',
      tools: [{ type: 'file_search', vector_store_ids: [store.id] }],
      tool_choice: { type: 'file_search' },
      include: ['file_search_call.results'],
    });
    assertConformingResponse(response);
    assert.ok(response.output.length > 0, 'Response has no output items');
    const call = response.output.find((item: Record<string, any>) => item.type === 'file_search_call');
    assert.ok(call, 'Expected output item of type "file_search_call" but none found');
    assert.deepEqual(call.queries, ['capital of France']);
    assert.equal(call.results[0]?.file_id, file.id);
    assert.match(call.results[0]?.text ?? '', /Paris/);
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { rejectsWith } from './helpers/file-fixtures.js';
import {
  chatRequests,
  chatTranscript,
  lastChatBody,
  MODEL,
  ONE_PIXEL_PNG,
  timeFunction,
  weatherFunction,
} from './helpers/responses-e2e.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

/*
 * POST /v1/responses through the official SDK against a real server and the scripted upstream: what the request
 * sets is echoed on the Response and reaches the model request; how the run ends becomes the Response's status.
 */

let fixture: RunFixture;
let client: OpenAI;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

describe('creating a response', () => {
  test('string input: the answer, the echo of every setting, usage', async () => {
    fixture.upstream.script({ text: ['Hello ', 'there.'], usage: { promptTokens: 21, completionTokens: 4 } });
    const response = await client.responses.create({
      model: MODEL,
      input: 'Hi',
      instructions: 'Be brief.',
      metadata: { topic: 'greeting' },
      temperature: 0.3,
      top_p: 0.9,
      max_output_tokens: 300,
      user: 'user-1',
    });
    assert.equal(response.object, 'response');
    assert.match(response.id, /^resp_/);
    assert.equal(response.status, 'completed');
    assert.equal(response.model, MODEL);
    assert.equal(response.instructions, 'Be brief.');
    assert.deepEqual(response.metadata, { topic: 'greeting' });
    assert.equal(response.temperature, 0.3);
    assert.equal(response.top_p, 0.9);
    assert.equal(response.max_output_tokens, 300);
    assert.equal(response.user, 'user-1');
    assert.equal(response.previous_response_id, null);
    assert.equal(response.error, null);
    assert.equal(response.incomplete_details, null);
    assert.equal(response.output_text, 'Hello there.');
    assert.equal(response.output.length, 1);
    const [message] = response.output as OpenAI.Responses.ResponseOutputMessage[];
    assert.equal(message!.type, 'message');
    assert.equal(message!.role, 'assistant');
    assert.equal(message!.status, 'completed');
    assert.match(message!.id, /^msg_/);
    assert.deepEqual(message!.content, [{ type: 'output_text', text: 'Hello there.', annotations: [], logprobs: [] }]);
    assert.deepEqual(response.usage, {
      input_tokens: 21,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 25,
    } as unknown as OpenAI.Responses.ResponseUsage);
    assert.ok(typeof response.created_at === 'number' && response.created_at > 1_700_000_000);

    const body = lastChatBody(fixture);
    assert.equal(body.model, MODEL);
    assert.equal(body.temperature, 0.3);
    assert.equal(body.top_p, 0.9);
    assert.equal(body.max_completion_tokens ?? body.max_tokens, 300);
    assert.deepEqual(chatTranscript(body), ['system: Be brief.', 'user: Hi']);

    // Retrieving gives the same Response.
    const retrieved = await client.responses.retrieve(response.id);
    assert.deepEqual(retrieved, response);
  });

  test('array input: system, developer, user and assistant messages in order; images by file id and by URL', async () => {
    const image = await client.files.create({
      file: await OpenAI.toFile(ONE_PIXEL_PNG, 'pixel.png', { type: 'image/png' }),
      purpose: 'vision',
    });
    fixture.upstream.script({ text: 'Two pictures.' });
    const response = await client.responses.create({
      model: MODEL,
      input: [
        { role: 'system', content: 'You describe pictures.' },
        { role: 'developer', content: [{ type: 'input_text', text: 'Use one sentence.' }] },
        { role: 'user', content: 'Earlier question' },
        { role: 'assistant', content: 'Earlier answer' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What are these?' },
            { type: 'input_image', file_id: image.id, detail: 'low' },
            { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'auto' },
          ],
        },
      ],
    });
    assert.equal(response.status, 'completed');
    assert.equal(response.output_text, 'Two pictures.');
    const messages = lastChatBody(fixture).messages as Array<Record<string, any>>;
    assert.deepEqual(
      messages.map((message) => message.role),
      ['system', 'system', 'user', 'assistant', 'user'],
      'a developer message reaches a chat upstream as a system message',
    );
    assert.equal(messages[0]!.content, 'You describe pictures.');
    assert.deepEqual(chatTranscript({ messages: messages.slice(1, 4) }), [
      'system: Use one sentence.',
      'user: Earlier question',
      'assistant: Earlier answer',
    ]);
    const parts = messages[4]!.content as Array<Record<string, any>>;
    assert.deepEqual(
      parts.map((part) => part.type),
      ['text', 'image_url', 'image_url'],
    );
    assert.equal(parts[0]!.text, 'What are these?');
    assert.equal(parts[1]!.image_url.url, `data:image/png;base64,${ONE_PIXEL_PNG.toString('base64')}`);
    assert.equal(parts[2]!.image_url.url, 'https://example.com/cat.png');

    // The input items keep what was sent (newest first by default).
    const items = await client.responses.inputItems.list(response.id, { order: 'asc' });
    assert.deepEqual(
      items.data.map((item) => [item.type, (item as { role?: string }).role]),
      [
        ['message', 'system'],
        ['message', 'developer'],
        ['message', 'user'],
        ['message', 'assistant'],
        ['message', 'user'],
      ],
    );
    const last = items.data[4] as OpenAI.Responses.ResponseInputMessageItem;
    assert.deepEqual(last.content[1], { type: 'input_image', file_id: image.id, image_url: null, detail: 'low' });
    assert.deepEqual(last.content[2], {
      type: 'input_image',
      file_id: null,
      image_url: 'https://example.com/cat.png',
      detail: 'auto',
    });
  });

  test('instructions apply to their own response only, not to the next one in the chain', async () => {
    fixture.upstream.script({ text: 'Ahoy.' }, { text: 'Hello.' });
    const first = await client.responses.create({ model: MODEL, input: 'Hi', instructions: 'Talk like a pirate.' });
    const second = await client.responses.create({ model: MODEL, input: 'Again', previous_response_id: first.id });
    assert.equal(second.instructions, null);
    assert.equal(second.previous_response_id, first.id);
    assert.deepEqual(chatTranscript(lastChatBody(fixture)), ['user: Hi', 'assistant: Ahoy.', 'user: Again']);
  });

  test('text.format json_schema reaches the model as response_format and is echoed', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    };
    fixture.upstream.script({ text: '{"city":"Paris"}' });
    const response = await client.responses.create({
      model: MODEL,
      input: 'Capital of France as JSON',
      text: { format: { type: 'json_schema', name: 'capital', schema, strict: true } },
    });
    assert.equal(response.output_text, '{"city":"Paris"}');
    assert.deepEqual(
      response.text?.format,
      { type: 'json_schema', description: null, name: 'capital', schema, strict: true } as unknown,
      'echoed whole, description null when not given, as OpenAI does',
    );
    assert.deepEqual(lastChatBody(fixture).response_format, {
      type: 'json_schema',
      json_schema: { name: 'capital', schema, strict: true },
    });

    fixture.upstream.script({ text: '{}' });
    await client.responses.create({ model: MODEL, input: 'JSON please', text: { format: { type: 'json_object' } } });
    assert.deepEqual(lastChatBody(fixture).response_format, { type: 'json_object' });
  });

  test('the SDK parses a json_schema answer (responses.parse)', async () => {
    fixture.upstream.script({ text: '{"city":"Paris","population":2100000}' });
    const parsed = await client.responses.parse({
      model: MODEL,
      input: 'Capital of France?',
      text: {
        format: {
          type: 'json_schema',
          name: 'capital',
          strict: true,
          schema: {
            type: 'object',
            properties: { city: { type: 'string' }, population: { type: 'integer' } },
            required: ['city', 'population'],
            additionalProperties: false,
          },
        },
      },
    });
    assert.deepEqual(parsed.output_parsed, { city: 'Paris', population: 2_100_000 });
  });

  test('hitting max_output_tokens ends the response incomplete, with the reason and the partial text', async () => {
    fixture.upstream.script({
      text: ['The answer ', 'is long'],
      finishReason: 'length',
      usage: { promptTokens: 10, completionTokens: 16 },
    });
    const response = await client.responses.create({ model: MODEL, input: 'Tell me a story', max_output_tokens: 16 });
    assert.equal(response.status, 'incomplete');
    assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(response.error, null);
    assert.equal(response.output_text, 'The answer is long');
    assert.equal(response.output[0]!.type, 'message');
    assert.equal((response.output[0] as OpenAI.Responses.ResponseOutputMessage).status, 'incomplete');
    assert.equal(response.usage?.output_tokens, 16);
  });

  test('parallel_tool_calls false and the tools reach the model; both are echoed', async () => {
    fixture.upstream.script({ text: 'No tools needed.' });
    const response = await client.responses.create({
      model: MODEL,
      input: 'Hi',
      tools: [weatherFunction, timeFunction],
      parallel_tool_calls: false,
    });
    assert.equal(response.parallel_tool_calls, false);
    assert.deepEqual(
      response.tools.map((tool) => (tool as OpenAI.Responses.FunctionTool).name),
      ['get_weather', 'get_time'],
    );
    const body = lastChatBody(fixture);
    assert.equal(body.parallel_tool_calls, false);
    assert.deepEqual(
      (body.tools as Array<{ function: { name: string } }>).map((tool) => tool.function.name),
      ['get_weather', 'get_time'],
    );
    assert.deepEqual(body.tools[0].function.parameters, weatherFunction.parameters);
  });

  test('tool_choice: a function by name, required and none reach the model as chat tool_choice', async () => {
    const cases: Array<[OpenAI.Responses.ResponseCreateParams['tool_choice'], unknown]> = [
      [
        { type: 'function', name: 'get_time' },
        { type: 'function', function: { name: 'get_time' } },
      ],
      ['required', 'required'],
      ['none', 'none'],
    ];
    for (const [choice, upstream] of cases) {
      fixture.upstream.script({ text: 'Fine.' });
      const response = await client.responses.create({
        model: MODEL,
        input: 'Hi',
        tools: [weatherFunction, timeFunction],
        tool_choice: choice,
      });
      assert.deepEqual(response.tool_choice, choice);
      assert.deepEqual(lastChatBody(fixture).tool_choice, upstream, JSON.stringify(choice));
    }
  });

  test('a tool_choice naming a tool the request does not offer is a 400', async () => {
    const cases: Array<[OpenAI.Responses.ResponseCreateParams['tool_choice'], string]> = [
      [{ type: 'function', name: 'get_stock_price' }, 'tool_choice'],
      [{ type: 'file_search' }, 'tool_choice'],
      [{ type: 'code_interpreter' }, 'tool_choice'],
      [
        {
          type: 'allowed_tools',
          mode: 'auto',
          tools: [
            { type: 'function', name: 'get_weather' },
            { type: 'function', name: 'nope' },
          ],
        },
        'tool_choice.tools[1]',
      ],
    ];
    for (const [choice, param] of cases) {
      await rejectsWith(
        client.responses.create({ model: MODEL, input: 'Hi', tools: [weatherFunction], tool_choice: choice }),
        { status: 400, param, message: 'not among the request' },
      );
    }
    assert.equal(chatRequests(fixture).length, 0, 'nothing reached the model');
  });

  test('an upstream failure ends the response failed, with the error', async () => {
    fixture.upstream.script({
      error: { status: 400, message: 'This model does not exist.', type: 'invalid_request_error', code: 'bad_model' },
    });
    const response = await client.responses.create({ model: MODEL, input: 'Hi' });
    assert.equal(response.status, 'failed');
    assert.ok(response.error, 'the failed response has an error');
    assert.match(response.error.message, /This model does not exist/);
    assert.equal(typeof response.error.code, 'string');
    assert.deepEqual(response.output, []);
    assert.equal(chatRequests(fixture).length, 1);
    assert.deepEqual(await client.responses.retrieve(response.id), response);
  });

  test('a request without a model is a 400; an image of an unknown file a 404', async () => {
    await rejectsWith(client.responses.create({ input: 'Hi' } as OpenAI.Responses.ResponseCreateParamsNonStreaming), {
      status: 400,
      param: 'model',
    });
    await rejectsWith(
      client.responses.create({
        model: MODEL,
        input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-missing', detail: 'auto' }] }],
      }),
      { status: 404, message: 'file-missing' },
    );
    assert.equal(chatRequests(fixture).length, 0, 'nothing reached the model');
  });

  test('a stored prompt template is a 400 naming prompt (there is nothing to resolve it against)', async () => {
    await rejectsWith(
      client.responses.create({ model: MODEL, input: 'Hi', prompt: { id: 'pmpt_123', variables: { city: 'Paris' } } }),
      { status: 400, param: 'prompt', message: 'prompt' },
    );
    assert.equal(chatRequests(fixture).length, 0);
  });
});

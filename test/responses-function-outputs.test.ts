import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

/**
 * A function_call_output answers a call: one the same input holds, or one a response or a conversation stored
 * (found by its call id). An output answering nothing is refused, as OpenAI refuses it, before anything is stored.
 */
let fixture: RunFixture;
const model = 'gpt-4o-mini';
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: false,
};

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

test('an output for a call nobody made is a 400 naming it; nothing is stored or sent upstream', async () => {
  await assert.rejects(
    fixture.client.responses.create({
      model,
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'function_call_output', call_id: 'call_nope', output: '-3' },
      ],
    }),
    (error: unknown) =>
      error instanceof OpenAI.BadRequestError &&
      error.param === 'input[1].call_id' &&
      error.message === '400 No tool call found for function call output with call_id call_nope.',
  );
  assert.equal(fixture.upstream.requests.length, 0);
});

test('outputs answer calls of the same input (replayed history), of a previous response, and of a conversation', async () => {
  fixture.upstream.script({ text: ['Cold.'] });
  const replayed = await fixture.client.responses.create({
    model,
    store: false,
    input: [
      { role: 'user', content: 'Weather in Oslo?' },
      { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'call_a', output: '-3' },
    ],
  });
  assert.equal(replayed.status, 'completed');

  fixture.upstream.script({ toolCalls: [{ id: 'call_b', name: 'get_weather', arguments: { city: 'Oslo' } }] });
  const first = await fixture.client.responses.create({ model, input: 'Weather?', tools: [weather] });
  fixture.upstream.script({ text: ['Cold.'] });
  const second = await fixture.client.responses.create({
    model,
    previous_response_id: first.id,
    input: [{ type: 'function_call_output', call_id: 'call_b', output: '-3' }],
  });
  assert.equal(second.status, 'completed');

  const conversation = await fixture.client.conversations.create({
    items: [
      { type: 'message', role: 'user', content: 'Weather?' },
      { type: 'function_call', call_id: 'call_c', name: 'get_weather', arguments: '{}' },
    ],
  });
  fixture.upstream.script({ text: ['Cold.'] });
  const third = await fixture.client.responses.create({
    model,
    conversation: conversation.id,
    input: [{ type: 'function_call_output', call_id: 'call_c', output: '-3' }],
  });
  assert.equal(third.status, 'completed');
  const sent = fixture.upstream.requests.at(-1)?.body as { messages: Array<{ role: string; tool_call_id?: string }> };
  assert.deepEqual(
    sent.messages.map((message) => message.role),
    ['user', 'assistant', 'tool'],
    'the call and its output reach the model',
  );
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { rejectsWith } from './helpers/file-fixtures.js';
import { pollUntil } from './helpers/poll.js';
import {
  chatRequests,
  chatTranscript,
  lastChatBody,
  MODEL,
  timeFunction,
  weatherFunction,
} from './helpers/responses-e2e.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { messageText } from './helpers/run-helpers.js';
import { ControlledResponse } from './upstream/index.js';

/*
 * What a response sees of what came before: `previous_response_id` chains (the model gets the whole branch, in
 * order, and nothing of other branches), function calls answered in the next response, and conversations (a
 * response appends its input and output items; Assistants threads serve as conversations).
 */

let fixture: RunFixture;
let client: OpenAI;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

async function ask(input: OpenAI.Responses.ResponseCreateParams['input'], extra: Record<string, unknown> = {}) {
  return client.responses.create({
    model: MODEL,
    input,
    ...extra,
  } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
}

async function allItems(conversationId: string) {
  const items: OpenAI.Conversations.ConversationItem[] = [];
  for await (const item of client.conversations.items.list(conversationId, { order: 'asc' })) items.push(item);
  return items;
}

describe('previous_response_id', () => {
  test('a chain of three: the third request holds the whole history, in order', async () => {
    fixture.upstream.script({ text: 'One.' }, { text: 'Two.' }, { text: 'Three.' });
    const first = await ask('Count: first', { instructions: 'Count along.' });
    const second = await ask('second', { previous_response_id: first.id });
    const third = await ask([{ role: 'user', content: 'third' }], { previous_response_id: second.id });
    assert.equal(third.status, 'completed');
    assert.equal(third.output_text, 'Three.');
    assert.equal(third.previous_response_id, second.id);
    assert.deepEqual(chatTranscript(lastChatBody(fixture)), [
      'user: Count: first',
      'assistant: One.',
      'user: second',
      'assistant: Two.',
      'user: third',
    ]);
    // Each response's input items are its own input only.
    const items = await client.responses.inputItems.list(third.id);
    assert.deepEqual(
      items.data.map((item) => (item as OpenAI.Responses.ResponseInputMessageItem).content),
      [[{ type: 'input_text', text: 'third' }]],
    );
  });

  test('a fork: two responses continuing the same one each see only their own branch', async () => {
    fixture.upstream.script({ text: 'Root answer.' }, { text: 'Left answer.' }, { text: 'Right answer.' });
    const root = await ask('root');
    const left = await ask('left', { previous_response_id: root.id });
    const right = await ask('right', { previous_response_id: root.id });
    const [, leftRequest, rightRequest] = chatRequests(fixture);
    assert.deepEqual(chatTranscript(leftRequest!.body), ['user: root', 'assistant: Root answer.', 'user: left']);
    assert.deepEqual(chatTranscript(rightRequest!.body), ['user: root', 'assistant: Root answer.', 'user: right']);

    fixture.upstream.script({ text: 'Deeper.' });
    await ask('after right', { previous_response_id: right.id });
    const transcript = chatTranscript(lastChatBody(fixture));
    assert.ok(!transcript.some((line) => line.includes('left') || line.includes('Left')), transcript.join('\n'));
    assert.equal(left.output_text, 'Left answer.');
  });

  test('a function call ends the response; its output, sent in the next one, reaches the model paired', async () => {
    fixture.upstream.script({ toolCalls: [{ id: 'call_oslo', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const asking = await ask('Weather in Oslo?', { tools: [weatherFunction] });
    assert.equal(asking.status, 'completed');
    assert.equal(asking.output.length, 1);
    const call = asking.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    assert.equal(call.type, 'function_call');
    assert.equal(call.call_id, 'call_oslo');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Oslo' });
    assert.equal(call.status, 'completed');
    assert.match(call.id!, /^fc_/);
    assert.equal(asking.output_text, '');

    fixture.upstream.script({ text: 'It is -5 °C in Oslo.' });
    const answered = await ask([{ type: 'function_call_output', call_id: 'call_oslo', output: '{"celsius":-5}' }], {
      previous_response_id: asking.id,
      tools: [weatherFunction],
    });
    assert.equal(answered.output_text, 'It is -5 °C in Oslo.');
    const messages = lastChatBody(fixture).messages as Array<Record<string, any>>;
    assert.deepEqual(
      messages.map((message) => message.role),
      ['user', 'assistant', 'tool'],
    );
    assert.equal(messages[1]!.tool_calls[0].id, 'call_oslo');
    assert.deepEqual(messages[2], { role: 'tool', tool_call_id: 'call_oslo', content: '{"celsius":-5}' });

    const input = await client.responses.inputItems.list(answered.id);
    const output = input.data[0] as OpenAI.Responses.ResponseFunctionToolCallOutputItem;
    assert.equal(output.type, 'function_call_output');
    assert.equal(output.call_id, 'call_oslo');
    assert.equal(output.output, '{"celsius":-5}');
  });

  test('parallel function calls: both outputs, in any order, reach the model after one assistant turn', async () => {
    fixture.upstream.script({
      toolCalls: [
        { id: 'call_w', name: 'get_weather', arguments: { city: 'Rome' } },
        { id: 'call_t', name: 'get_time', arguments: { city: 'Rome' } },
      ],
    });
    const tools = [weatherFunction, timeFunction];
    const asking = await ask('Weather and time in Rome?', { tools });
    assert.deepEqual(
      asking.output.map((item) => [item.type, (item as OpenAI.Responses.ResponseFunctionToolCall).call_id]),
      [
        ['function_call', 'call_w'],
        ['function_call', 'call_t'],
      ],
    );
    fixture.upstream.script({ text: 'Sunny, noon.' });
    const answered = await ask(
      [
        { type: 'function_call_output', call_id: 'call_t', output: 'noon' },
        { type: 'function_call_output', call_id: 'call_w', output: 'sunny' },
      ],
      { previous_response_id: asking.id, tools },
    );
    assert.equal(answered.output_text, 'Sunny, noon.');
    assert.deepEqual(chatTranscript(lastChatBody(fixture)), [
      'user: Weather and time in Rome?',
      'assistant: →get_weather({"city":"Rome"}) →get_time({"city":"Rome"})',
      'tool: noon',
      'tool: sunny',
    ]);
  });

  test('an unknown or deleted previous response is a 400', async () => {
    await rejectsWith(ask('Hi', { previous_response_id: 'resp_missing' }), {
      status: 400,
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
    fixture.upstream.script({ text: 'Soon gone.' });
    const gone = await ask('Hi');
    await client.responses.delete(gone.id);
    await rejectsWith(ask('Again', { previous_response_id: gone.id }), {
      status: 400,
      param: 'previous_response_id',
      message: gone.id,
    });
    fixture.upstream.script({ text: 'Unstored.' });
    const unstored = await ask('Hi', { store: false });
    await rejectsWith(ask('Again', { previous_response_id: unstored.id }), {
      status: 400,
      param: 'previous_response_id',
    });
    assert.equal(chatRequests(fixture).length, 2, 'only the two answered requests reached the model');
  });

  test('conversation together with previous_response_id is a 400', async () => {
    fixture.upstream.script({ text: 'Hi.' });
    const first = await ask('Hi');
    const conversation = await client.conversations.create();
    await rejectsWith(ask('Again', { previous_response_id: first.id, conversation: conversation.id }), {
      status: 400,
      param: 'conversation',
      code: 'mutually_exclusive_parameters',
    });
    assert.deepEqual(await allItems(conversation.id), []);
  });
});

describe('conversations', () => {
  test('a response appends its input and output items; the next response sees them', async () => {
    const conversation = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'My name is Ada.' }],
    });
    fixture.upstream.script({ toolCalls: [{ id: 'call_paris', name: 'get_weather', arguments: { city: 'Paris' } }] });
    const first = await ask('Weather in Paris?', { conversation: conversation.id, tools: [weatherFunction] });
    assert.equal(first.status, 'completed');
    assert.deepEqual(first.conversation, { id: conversation.id });

    fixture.upstream.script({ text: 'Sunny, Ada.' });
    const second = await ask([{ type: 'function_call_output', call_id: 'call_paris', output: 'sunny' }], {
      conversation: { id: conversation.id },
      tools: [weatherFunction],
    });
    assert.equal(second.output_text, 'Sunny, Ada.');
    assert.deepEqual(chatTranscript(lastChatBody(fixture)), [
      'user: My name is Ada.',
      'user: Weather in Paris?',
      'assistant: →get_weather({"city":"Paris"})',
      'tool: sunny',
    ]);

    const items = await allItems(conversation.id);
    assert.deepEqual(
      items.map((item) => [item.type, (item as { role?: string }).role ?? null]),
      [
        ['message', 'user'],
        ['message', 'user'],
        ['function_call', null],
        ['function_call_output', null],
        ['message', 'assistant'],
      ],
    );
    assert.equal(items[2]!.id, first.output[0]!.id, 'the function_call item is the response output item');
    assert.equal(items[4]!.id, second.output[0]!.id, 'the answer is the response output item');
    const answer = items[4] as OpenAI.Conversations.Message;
    assert.deepEqual(answer.content, [{ type: 'output_text', text: 'Sunny, Ada.', annotations: [], logprobs: [] }]);
  });

  test("an Assistants thread is a conversation: the response sees its messages, the Assistants API the response's", async () => {
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Remember: blue.' }] });
    fixture.upstream.script({ text: 'Blue it is.' });
    const response = await ask('Which colour?', { conversation: thread.id });
    assert.equal(response.output_text, 'Blue it is.');
    assert.deepEqual(response.conversation, { id: thread.id });
    assert.deepEqual(chatTranscript(lastChatBody(fixture)), ['user: Remember: blue.', 'user: Which colour?']);

    const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
    assert.deepEqual(
      messages.data.map((message) => [message.role, messageText(message)]),
      [
        ['user', 'Remember: blue.'],
        ['user', 'Which colour?'],
        ['assistant', 'Blue it is.'],
      ],
    );
    assert.equal(messages.data[2]!.id, response.output[0]!.id, 'the message is the output item');
    assert.equal(messages.data[2]!.run_id, response.id);
  });

  test('a response while another is active on the same conversation is a 400', async () => {
    const conversation = await client.conversations.create();
    const slow = new ControlledResponse();
    fixture.upstream.script({ controlled: slow });
    const background = await ask('First', { conversation: conversation.id, background: true });
    await slow.connected;
    await rejectsWith(ask('Second', { conversation: conversation.id }), {
      status: 400,
      param: 'conversation',
      code: 'conversation_locked',
    });
    slow.text('Done.');
    slow.finish();
    const finished = await pollUntil(
      async () => {
        const response = await client.responses.retrieve(background.id);
        return response.status !== 'in_progress' && response.status !== 'queued' && response;
      },
      { what: 'the background response to end' },
    );
    assert.equal(finished.status, 'completed');
    fixture.upstream.script({ text: 'Second answer.' });
    const second = await ask('Second', { conversation: conversation.id });
    assert.equal(second.output_text, 'Second answer.');
    assert.equal((await allItems(conversation.id)).length, 4);
  });

  test('a deleted conversation item is gone from the next response; input_items lists only its own input', async () => {
    const conversation = await client.conversations.create({
      items: [
        { type: 'message', role: 'user', content: 'Forget this.' },
        { type: 'message', role: 'user', content: 'Keep this.' },
      ],
    });
    const [forget] = (await allItems(conversation.id)) as OpenAI.Conversations.Message[];
    await client.conversations.items.delete(forget!.id, { conversation_id: conversation.id });
    fixture.upstream.script({ text: 'Kept.' });
    const response = await ask('What did I say?', { conversation: conversation.id });
    assert.deepEqual(chatTranscript(lastChatBody(fixture)), ['user: Keep this.', 'user: What did I say?']);
    const input = await client.responses.inputItems.list(response.id);
    assert.deepEqual(
      input.data.map((item) => (item as OpenAI.Responses.ResponseInputMessageItem).content),
      [[{ type: 'input_text', text: 'What did I say?' }]],
    );
  });

  test('previous_response_id naming a response in a conversation sees the conversation only up to it', async () => {
    const conversation = await client.conversations.create();
    fixture.upstream.script({ text: 'A.' }, { text: 'B.' }, { text: 'C.' });
    const first = await ask('a', { conversation: conversation.id });
    await ask('b', { conversation: conversation.id });
    const branch = await ask('c', { previous_response_id: first.id });
    assert.equal(branch.output_text, 'C.');
    assert.equal(branch.conversation, null);
    assert.deepEqual(chatTranscript(lastChatBody(fixture)), ['user: a', 'assistant: A.', 'user: c']);
    assert.equal((await allItems(conversation.id)).length, 4, 'the branch added nothing to the conversation');
  });

  test('an unknown conversation is a 404', async () => {
    await rejectsWith(ask('Hi', { conversation: 'conv_missing' }), { status: 404, message: 'conv_missing' });
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  assistantAndThread,
  chatRequests,
  contentText,
  createAssistant,
  messageText,
  upstreamMessages,
  weatherTool,
} from './helpers/run-helpers.js';

let fixture: RunFixture;

before(async () => {
  // Models the built-in table does not know get this window: small enough to force truncation.
  fixture = await startRunFixture({ env: { DEFAULT_CONTEXT_WINDOW: '1000' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

/** A thread of `count` user messages of about 100 tokens each, numbered from 0. */
async function longThread(count: number) {
  const messages = Array.from({ length: count }, (_, index) => ({
    role: 'user' as const,
    content: `Message ${index}: ${'lorem '.repeat(100)}`,
  }));
  return fixture.client.beta.threads.create({ messages });
}

function sentUserTexts(index: number): string[] {
  return upstreamMessages(fixture, index)
    .filter((message) => message.role === 'user')
    .map((message) => contentText(message).split(':')[0]!);
}

test('truncation_strategy last_messages sends only the newest messages', async () => {
  fixture.upstream.script({ text: 'ok' });
  const assistant = await createAssistant(fixture);
  const thread = await fixture.client.beta.threads.create({
    messages: ['one', 'two', 'three', 'four'].map((content) => ({ role: 'user' as const, content })),
  });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    truncation_strategy: { type: 'last_messages', last_messages: 2 },
  });
  assert.equal(run.status, 'completed');
  assert.deepEqual(
    upstreamMessages(fixture, 0).map((message) => [message.role, contentText(message)]),
    [
      ['system', 'You are terse.'],
      ['user', 'three'],
      ['user', 'four'],
    ],
  );
});

test('truncation auto drops the oldest messages to fit a small context window', async () => {
  fixture.upstream.script({ text: 'ok' });
  const assistant = await createAssistant(fixture, { model: 'tiny-local-model' });
  const thread = await longThread(10);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'completed');
  const sent = sentUserTexts(0);
  const all = Array.from({ length: 10 }, (_, index) => `Message ${index}`);
  assert.ok(sent.length > 1 && sent.length < 10, `sent ${sent.length} of 10 messages`);
  assert.deepEqual(sent, all.slice(10 - sent.length), 'the newest messages are kept, in order');
  assert.equal(upstreamMessages(fixture, 0)[0]!.role, 'system', 'the instructions are never dropped');
});

test('a model with a known large window gets the whole thread', async () => {
  fixture.upstream.script({ text: 'ok' });
  const assistant = await createAssistant(fixture, { model: 'gpt-4o-mini' });
  const thread = await longThread(10);
  await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(sentUserTexts(0).length, 10);
});

test('a newest message larger than the context window fails the run with a clear last_error', async () => {
  const assistant = await createAssistant(fixture, { model: 'tiny-local-model' });
  const thread = await fixture.client.beta.threads.create({
    messages: [{ role: 'user', content: 'lorem '.repeat(2_000) }],
  });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', /context window of tiny-local-model \(1000 tokens\)/);
  assert.equal(chatRequests(fixture).length, 0);
});

test('reaching max_completion_tokens ends the run incomplete and its message incomplete', async () => {
  fixture.upstream.script({
    text: 'A long answer that got cut',
    finishReason: 'length',
    usage: { promptTokens: 30, completionTokens: 300 },
  });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    max_completion_tokens: 300,
  });
  assert.equal(run.status, 'incomplete');
  assert.deepEqual(run.incomplete_details, { reason: 'max_completion_tokens' });
  assert.deepEqual(run.usage, { prompt_tokens: 30, completion_tokens: 300, total_tokens: 330 });
  assert.equal(chatRequests(fixture)[0]!.body.max_tokens, 300);

  const [message] = (await fixture.client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
  assert.equal(message!.status, 'incomplete');
  assert.deepEqual(message!.incomplete_details, { reason: 'max_tokens' });
  assert.equal(messageText(message!), 'A long answer that got cut');
  const [step] = (await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })).data;
  assert.deepEqual(step!.usage, { prompt_tokens: 30, completion_tokens: 300, total_tokens: 330 });
});

test('max_completion_tokens spans the whole run: the second call may only use what is left', async () => {
  fixture.upstream.script(
    {
      toolCalls: [{ id: 'call_budget', name: 'get_weather', arguments: { city: 'Lima' } }],
      usage: { promptTokens: 40, completionTokens: 280 },
    },
    { text: 'Warm.', usage: { promptTokens: 60, completionTokens: 3 } },
  );
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const waiting = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    max_completion_tokens: 300,
  });
  assert.equal(waiting.status, 'requires_action');
  assert.deepEqual(waiting.usage, { prompt_tokens: 40, completion_tokens: 280, total_tokens: 320 });
  const run = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_budget', output: '25 C' }],
  });
  assert.equal(run.status, 'completed');
  assert.deepEqual(
    chatRequests(fixture).map((request) => request.body.max_tokens),
    [300, 20],
  );
  assert.deepEqual(run.usage, { prompt_tokens: 100, completion_tokens: 283, total_tokens: 383 });

  const steps = (await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' }))
    .data;
  assert.deepEqual(
    steps.map((step) => [step.type, step.usage]),
    [
      ['tool_calls', { prompt_tokens: 40, completion_tokens: 280, total_tokens: 320 }],
      ['message_creation', { prompt_tokens: 60, completion_tokens: 3, total_tokens: 63 }],
    ],
  );
});

test('a prompt larger than max_prompt_tokens ends the run incomplete without calling the model', async () => {
  const assistant = await createAssistant(fixture);
  // About 400 tokens; the smallest budget OpenAI accepts is 256.
  const thread = await fixture.client.beta.threads.create({
    messages: [{ role: 'user', content: 'lorem '.repeat(400) }],
  });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    max_prompt_tokens: 256,
  });
  assert.equal(run.status, 'incomplete');
  assert.deepEqual(run.incomplete_details, { reason: 'max_prompt_tokens' });
  assert.equal(chatRequests(fixture).length, 0);
});

test('max_prompt_tokens spans the whole run: a second call over the rest of the budget ends it incomplete', async () => {
  fixture.upstream.script({
    toolCalls: [{ id: 'call_p', name: 'get_weather', arguments: { city: 'Quito' } }],
    usage: { promptTokens: 290, completionTokens: 5 },
  });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const waiting = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    max_prompt_tokens: 300,
  });
  assert.equal(waiting.status, 'requires_action');
  const run = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_p', output: 'cool' }],
  });
  assert.equal(run.status, 'incomplete');
  assert.deepEqual(run.incomplete_details, { reason: 'max_prompt_tokens' });
  assert.equal(chatRequests(fixture).length, 1);
  assert.deepEqual(run.usage, { prompt_tokens: 290, completion_tokens: 5, total_tokens: 295 });
});

test('a length finish below the run budget is the model stopping, not an incomplete run', async () => {
  fixture.upstream.script({
    text: 'Stopped by the model itself',
    finishReason: 'length',
    usage: { promptTokens: 10, completionTokens: 7 },
  });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    max_completion_tokens: 1_000,
  });
  assert.equal(run.status, 'completed');
  assert.equal(run.incomplete_details, null);
});

test('tool-call arguments cut off by max_completion_tokens end the run incomplete instead of asking for outputs', async () => {
  fixture.upstream.script({
    toolCalls: [{ id: 'call_cut', name: 'get_weather', arguments: '{"city": "Reykj' }],
    finishReason: 'length',
    usage: { promptTokens: 20, completionTokens: 256 },
  });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    max_completion_tokens: 256,
  });
  assert.equal(run.status, 'incomplete');
  assert.deepEqual(run.incomplete_details, { reason: 'max_completion_tokens' });
  assert.equal(run.required_action, null);
  const [step] = (await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })).data;
  assert.equal(step!.type, 'tool_calls');
  assert.notEqual(step!.status, 'in_progress');
});

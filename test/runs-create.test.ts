import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { pollUntil } from './helpers/poll.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  assistantAndThread,
  chatRequests,
  contentText,
  messageText,
  upstreamMessages,
  weatherTool,
} from './helpers/run-helpers.js';
import { ControlledResponse } from './upstream/index.js';

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

test('createAndPoll completes a run with the assistant message the upstream wrote', async () => {
  fixture.upstream.script({ text: 'Hi! How can I help?', usage: { promptTokens: 21, completionTokens: 6 } });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });

  assert.equal(run.status, 'completed');
  assert.equal(run.thread_id, thread.id);
  assert.equal(run.assistant_id, assistant.id);
  assert.match(run.id, /^run_/);
  assert.ok(run.started_at !== null && run.completed_at !== null);
  assert.equal(run.expires_at, null);
  assert.equal(run.last_error, null);
  assert.deepEqual(run.usage, { prompt_tokens: 21, completion_tokens: 6, total_tokens: 27 });

  const messages = await fixture.client.beta.threads.messages.list(thread.id, { order: 'asc' });
  assert.equal(messages.data.length, 2);
  const reply = messages.data[1]!;
  assert.equal(reply.role, 'assistant');
  assert.equal(reply.status, 'completed');
  assert.equal(reply.run_id, run.id);
  assert.equal(reply.assistant_id, assistant.id);
  assert.equal(messageText(reply), 'Hi! How can I help?');
});

test('the run retrieval tells the SDK poller to come back soon instead of after 5 s', async () => {
  const stream = new ControlledResponse();
  fixture.upstream.script({ controlled: stream });
  const { assistant, thread } = await assistantAndThread(fixture);
  let retrievals = 0;
  const counting = fixture.client.withOptions({
    fetch: async (input, init) => {
      if ((init?.method ?? 'GET') === 'GET' && String(input).includes('/runs/')) retrievals += 1;
      return fetch(input, init);
    },
  });
  const polled = counting.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  await stream.connected;
  // Several polls while the model is still streaming: the server's openai-poll-after-ms sets the pace.
  await pollUntil(() => retrievals >= 3, {
    what: () => `3 polls from the SDK, got ${retrievals}; is openai-poll-after-ms sent?`,
    timeoutMs: 4_000,
    intervalMs: 20,
  });
  stream.text('done');
  stream.finish();
  assert.equal((await polled).status, 'completed');

  const { response } = await fixture.client.beta.threads.runs
    .retrieve((await polled).id, { thread_id: thread.id })
    .withResponse();
  const pollAfter = Number(response.headers.get('openai-poll-after-ms'));
  assert.ok(pollAfter > 0 && pollAfter < 5_000, `openai-poll-after-ms is ${pollAfter}`);
});

test('the run object takes model, instructions, tools and sampling settings from the assistant', async () => {
  fixture.upstream.script({ text: 'ok' });
  const { assistant, thread } = await assistantAndThread(fixture, {
    model: 'gpt-4o',
    instructions: 'Assistant instructions.',
    tools: [weatherTool],
    temperature: 0.3,
    top_p: 0.8,
    response_format: { type: 'json_object' },
  });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'completed');
  assert.equal(run.model, 'gpt-4o');
  assert.equal(run.instructions, 'Assistant instructions.');
  assert.deepEqual(run.tools, assistant.tools);
  assert.equal(run.temperature, 0.3);
  assert.equal(run.top_p, 0.8);
  assert.deepEqual(run.response_format, { type: 'json_object' });
  assert.deepEqual(run.truncation_strategy, { type: 'auto', last_messages: null });
  assert.equal(run.tool_choice, 'auto');
  assert.equal(run.parallel_tool_calls, true);
  assert.equal(run.max_prompt_tokens, null);
  assert.equal(run.max_completion_tokens, null);
  assert.deepEqual(run.metadata, {});

  const body = chatRequests(fixture)[0]!.body;
  assert.equal(body.model, 'gpt-4o');
  assert.equal(body.stream, true);
  assert.deepEqual(body.messages[0], { role: 'system', content: 'Assistant instructions.' });
  assert.equal(body.temperature, 0.3);
  assert.equal(body.top_p, 0.8);
  assert.deepEqual(body.response_format, { type: 'json_object' });
  assert.equal(body.tools[0].function.name, 'get_weather');
  assert.deepEqual(body.tools[0].function.parameters, weatherTool.function.parameters);
  assert.equal(body.tool_choice, 'auto');
  assert.equal(body.parallel_tool_calls, true);
  assert.equal(body.max_tokens, undefined);
});

test('every override of the create request reaches the run object and the upstream', async () => {
  fixture.upstream.script({ text: '{"answer": 42}' });
  const { assistant, thread } = await assistantAndThread(
    fixture,
    { instructions: 'Base.', tools: [weatherTool] },
    'First question',
  );
  const schema = {
    type: 'object',
    properties: { answer: { type: 'number' } },
    required: ['answer'],
    additionalProperties: false,
  };
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    model: 'gpt-4.1-mini',
    instructions: 'Override instructions.',
    additional_instructions: 'Also be kind.',
    additional_messages: [
      { role: 'user', content: 'Extra user message' },
      { role: 'assistant', content: 'Extra assistant message' },
    ],
    tools: [
      {
        type: 'function',
        function: { name: 'lookup', description: 'Look it up', parameters: { type: 'object', properties: {} } },
      },
    ],
    metadata: { purpose: 'test' },
    temperature: 0.2,
    top_p: 0.5,
    max_prompt_tokens: 5_000,
    max_completion_tokens: 700,
    truncation_strategy: { type: 'last_messages', last_messages: 10 },
    tool_choice: { type: 'function', function: { name: 'lookup' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
  });
  assert.equal(run.status, 'completed');
  assert.equal(run.model, 'gpt-4.1-mini');
  assert.equal(run.instructions, 'Override instructions.\n\nAlso be kind.');
  assert.deepEqual(
    run.tools.map((tool) => (tool.type === 'function' ? tool.function.name : tool.type)),
    ['lookup'],
  );
  assert.deepEqual(run.metadata, { purpose: 'test' });
  assert.equal(run.temperature, 0.2);
  assert.equal(run.top_p, 0.5);
  assert.equal(run.max_prompt_tokens, 5_000);
  assert.equal(run.max_completion_tokens, 700);
  assert.deepEqual(run.truncation_strategy, { type: 'last_messages', last_messages: 10 });
  assert.deepEqual(run.tool_choice, { type: 'function', function: { name: 'lookup' } });
  assert.equal(run.parallel_tool_calls, false);
  assert.deepEqual(run.response_format, { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });

  const messages = await fixture.client.beta.threads.messages.list(thread.id, { order: 'asc' });
  assert.deepEqual(
    messages.data.map((message) => [message.role, messageText(message)]),
    [
      ['user', 'First question'],
      ['user', 'Extra user message'],
      ['assistant', 'Extra assistant message'],
      ['assistant', '{"answer": 42}'],
    ],
  );

  const body = chatRequests(fixture)[0]!.body;
  assert.equal(body.model, 'gpt-4.1-mini');
  assert.deepEqual(body.messages[0], { role: 'system', content: 'Override instructions.\n\nAlso be kind.' });
  assert.deepEqual(
    upstreamMessages(fixture, 0)
      .slice(1)
      .map((message) => [message.role, contentText(message)]),
    [
      ['user', 'First question'],
      ['user', 'Extra user message'],
      ['assistant', 'Extra assistant message'],
    ],
  );
  assert.equal(body.temperature, 0.2);
  assert.equal(body.top_p, 0.5);
  assert.equal(body.max_tokens, 700);
  assert.deepEqual(
    body.tools.map((tool: any) => tool.function.name),
    ['lookup'],
  );
  assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'lookup' } });
  assert.equal(body.parallel_tool_calls, false);
  assert.deepEqual(body.response_format, {
    type: 'json_schema',
    json_schema: { name: 'answer', schema, strict: true },
  });
});

test('a run without tools sends neither tools nor tool settings upstream, and no system message without instructions', async () => {
  fixture.upstream.script({ text: 'plain' });
  const { assistant, thread } = await assistantAndThread(fixture, { instructions: null });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'completed');
  assert.equal(run.instructions, '');
  const body = chatRequests(fixture)[0]!.body;
  assert.equal(body.tools, undefined);
  assert.equal(body.tool_choice, undefined);
  assert.equal(body.parallel_tool_calls, undefined);
  assert.deepEqual(
    body.messages.map((message: any) => message.role),
    ['user'],
  );
});

test('runs are listed newest first and can be modified', async () => {
  fixture.upstream.respond({ text: 'ok' });
  const { assistant, thread } = await assistantAndThread(fixture);
  const first = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  const second = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  const page = await fixture.client.beta.threads.runs.list(thread.id);
  assert.deepEqual(
    page.data.map((run) => run.id),
    [second.id, first.id],
  );
  const ascending = await fixture.client.beta.threads.runs.list(thread.id, { order: 'asc', limit: 1 });
  assert.deepEqual(
    ascending.data.map((run) => run.id),
    [first.id],
  );
  assert.equal(ascending.has_more, true);

  const modified = await fixture.client.beta.threads.runs.update(first.id, {
    thread_id: thread.id,
    metadata: { tag: 'x' },
  });
  assert.deepEqual(modified.metadata, { tag: 'x' });
  assert.equal(modified.status, 'completed');
});

test('an empty tools override and a json_schema without strict reach the upstream as such', async () => {
  fixture.upstream.script({ text: '{}' });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    tools: [],
    response_format: { type: 'json_schema', json_schema: { name: 'empty', schema: { type: 'object' } } },
  });
  assert.equal(run.status, 'completed');
  assert.deepEqual(run.tools, []);
  const body = chatRequests(fixture)[0]!.body;
  assert.equal(body.tools, undefined);
  assert.equal(body.response_format.type, 'json_schema');
  assert.equal(body.response_format.json_schema.name, 'empty');
  assert.notEqual(body.response_format.json_schema.strict, true, "OpenAI's default is not strict");
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  assistantAndThread,
  chatRequests,
  contentText,
  messageText,
  timeTool,
  upstreamMessages,
  weatherTool,
} from './helpers/run-helpers.js';

let fixture: RunFixture;

// The multi-step test below needs 3 model calls; the cap test hits this limit.
const MAX_MODEL_CALLS = 4;

before(async () => {
  fixture = await startRunFixture({ env: { MAX_MODEL_CALLS_PER_RUN: String(MAX_MODEL_CALLS) } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

async function waitingRun(
  toolCalls: Array<{ id?: string; name: string; arguments: Record<string, unknown> }>,
  options: Record<string, unknown> = {},
) {
  fixture.upstream.script({ toolCalls });
  const { assistant, thread } = await assistantAndThread(
    fixture,
    { tools: [weatherTool, timeTool] },
    'What is the weather?',
  );
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    ...options,
  });
  assert.equal(run.status, 'requires_action');
  return { assistant, thread, run };
}

test('a function call pauses the run in requires_action with the call to answer', async () => {
  const { run, thread } = await waitingRun([{ id: 'call_weather1', name: 'get_weather', arguments: { city: 'Rome' } }]);
  assert.equal(run.required_action?.type, 'submit_tool_outputs');
  assert.deepEqual(run.required_action?.submit_tool_outputs.tool_calls, [
    { id: 'call_weather1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
  ]);
  assert.ok(run.expires_at !== null && run.expires_at > run.created_at);

  const steps = await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
  assert.equal(steps.data.length, 1);
  const step = steps.data[0]!;
  assert.equal(step.type, 'tool_calls');
  assert.equal(step.status, 'in_progress');
  assert.ok(step.step_details.type === 'tool_calls');
  assert.deepEqual(step.step_details.tool_calls, [
    {
      id: 'call_weather1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Rome"}', output: null },
    },
  ]);
});

test('submitToolOutputsAndPoll sends the call and its output back to the model with the tools again', async () => {
  const { run, thread } = await waitingRun([{ id: 'call_w', name: 'get_weather', arguments: { city: 'Rome' } }]);
  fixture.upstream.script({ text: 'It is sunny in Rome.' });
  const finished = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_w', output: '{"sky":"sunny"}' }],
  });
  assert.equal(finished.status, 'completed');
  assert.equal(finished.required_action, null);

  const second = upstreamMessages(fixture, 1);
  const assistantTurn = second.find((message) => message.role === 'assistant')!;
  assert.deepEqual(assistantTurn.tool_calls, [
    { id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
  ]);
  const toolTurn = second.at(-1)!;
  assert.deepEqual(
    { role: toolTurn.role, tool_call_id: toolTurn.tool_call_id, content: contentText(toolTurn) },
    { role: 'tool', tool_call_id: 'call_w', content: '{"sky":"sunny"}' },
  );
  assert.equal(second.indexOf(assistantTurn), second.length - 2, 'the tool message follows the call');
  assert.equal(contentText(second[second.length - 3]!), 'What is the weather?');
  assert.deepEqual(
    chatRequests(fixture)[1]!.body.tools.map((tool: any) => tool.function.name),
    ['get_weather', 'get_time'],
  );

  const messages = await fixture.client.beta.threads.messages.list(thread.id, { order: 'asc' });
  assert.deepEqual(messages.data.map(messageText), ['What is the weather?', 'It is sunny in Rome.']);
  const steps = await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
  assert.deepEqual(
    steps.data.map((step) => [step.type, step.status]),
    [
      ['tool_calls', 'completed'],
      ['message_creation', 'completed'],
    ],
  );
  const toolStep = steps.data[0]!;
  assert.ok(toolStep.step_details.type === 'tool_calls' && toolStep.step_details.tool_calls[0]!.type === 'function');
  assert.equal(toolStep.step_details.tool_calls[0]!.function.output, '{"sky":"sunny"}');
});

test('parallel calls each get their own call id and all outputs go back in one round', async () => {
  const { run, thread } = await waitingRun([
    { name: 'get_weather', arguments: { city: 'Rome' } },
    { name: 'get_time', arguments: { city: 'Tokyo' } },
  ]);
  const calls = run.required_action!.submit_tool_outputs.tool_calls;
  assert.equal(calls.length, 2);
  assert.deepEqual(
    calls.map((call) => call.function.name),
    ['get_weather', 'get_time'],
  );
  assert.ok(calls.every((call) => /^call_/.test(call.id)));
  assert.notEqual(calls[0]!.id, calls[1]!.id);

  fixture.upstream.script({ text: 'Sunny, and 9 pm.' });
  const finished = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [
      { tool_call_id: calls[1]!.id, output: '21:00' },
      { tool_call_id: calls[0]!.id, output: 'sunny' },
    ],
  });
  assert.equal(finished.status, 'completed');
  const second = upstreamMessages(fixture, 1);
  const toolTurns = second.filter((message) => message.role === 'tool');
  assert.deepEqual(
    toolTurns.map((message) => [message.tool_call_id, contentText(message)]),
    [
      [calls[0]!.id, 'sunny'],
      [calls[1]!.id, '21:00'],
    ],
  );
  assert.equal(second.filter((message) => message.role === 'assistant' && message.tool_calls?.length === 2).length, 1);
});

test('partial tool outputs are rejected with a 400 and the run keeps waiting for all of them', async () => {
  const { run, thread } = await waitingRun([
    { id: 'call_a', name: 'get_weather', arguments: { city: 'A' } },
    { id: 'call_b', name: 'get_time', arguments: { city: 'B' } },
  ]);
  await rejectsWith(
    fixture.client.beta.threads.runs.submitToolOutputs(run.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_a', output: 'x' }],
    }),
    { status: 400, param: 'tool_outputs', message: "Expected tool outputs for call_ids ['call_a', 'call_b']" },
  );
  const still = await fixture.client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
  assert.equal(still.status, 'requires_action');
  assert.equal(still.required_action?.submit_tool_outputs.tool_calls.length, 2);
  assert.equal(chatRequests(fixture).length, 1, 'no model call after a rejected submission');
});

test('outputs for an unknown or repeated call id are rejected with a 400', async () => {
  const { run, thread } = await waitingRun([{ id: 'call_only', name: 'get_weather', arguments: { city: 'A' } }]);
  await rejectsWith(
    fixture.client.beta.threads.runs.submitToolOutputs(run.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_unknown', output: 'x' }],
    }),
    { status: 400, message: "got ['call_unknown']" },
  );
  await rejectsWith(
    fixture.client.beta.threads.runs.submitToolOutputs(run.id, {
      thread_id: thread.id,
      tool_outputs: [
        { tool_call_id: 'call_only', output: 'x' },
        { tool_call_id: 'call_only', output: 'y' },
      ],
    }),
    { status: 400 },
  );
  assert.equal(
    (await fixture.client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status,
    'requires_action',
  );
});

test('tool outputs for a run that is not waiting for them are a 400', async () => {
  fixture.upstream.script({ text: 'no tools needed' });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'completed');
  await rejectsWith(
    fixture.client.beta.threads.runs.submitToolOutputs(run.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_x', output: 'x' }],
    }),
    { status: 400, message: 'Runs in status "completed" do not accept tool outputs.' },
  );
});

test('a multi-step loop (call, output, call, output, text) replays every earlier round to the model', async () => {
  const { run, thread } = await waitingRun([{ id: 'call_1', name: 'get_weather', arguments: { city: 'Rome' } }]);
  fixture.upstream.script({ toolCalls: [{ id: 'call_2', name: 'get_time', arguments: { city: 'Rome' } }] });
  const middle = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_1', output: 'sunny' }],
  });
  assert.equal(middle.status, 'requires_action');
  assert.deepEqual(
    middle.required_action!.submit_tool_outputs.tool_calls.map((call) => call.id),
    ['call_2'],
  );

  fixture.upstream.script({ text: 'Sunny at noon.' });
  const finished = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_2', output: '12:00' }],
  });
  assert.equal(finished.status, 'completed');

  const third = upstreamMessages(fixture, 2);
  assert.deepEqual(
    third.map((message) => [message.role, message.tool_call_id ?? message.tool_calls?.[0]?.id ?? contentText(message)]),
    [
      ['system', 'You are terse.'],
      ['user', 'What is the weather?'],
      ['assistant', 'call_1'],
      ['tool', 'call_1'],
      ['assistant', 'call_2'],
      ['tool', 'call_2'],
    ],
  );
  const steps = await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
  assert.deepEqual(
    steps.data.map((step) => step.type),
    ['tool_calls', 'tool_calls', 'message_creation'],
  );
});

test('tool_choice none, required and a named function, and parallel_tool_calls false reach the upstream', async () => {
  fixture.upstream.respond({ text: 'ok' });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool, timeTool] });
  const choices = ['none', 'required', { type: 'function' as const, function: { name: 'get_time' } }] as const;
  for (const toolChoice of choices) {
    const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      tool_choice: toolChoice,
      parallel_tool_calls: false,
    });
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.tool_choice, toolChoice);
  }
  const bodies = chatRequests(fixture).map((request) => request.body);
  assert.equal(bodies[0].tool_choice, 'none');
  assert.equal(bodies[1].tool_choice, 'required');
  assert.deepEqual(bodies[2].tool_choice, { type: 'function', function: { name: 'get_time' } });
  assert.ok(bodies.every((body) => body.parallel_tool_calls === false));
});

test('a run that keeps calling tools fails once it reaches MAX_MODEL_CALLS_PER_RUN', async () => {
  fixture.upstream.respond(() => ({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Loop' } }] }));
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] }, 'loop');
  let run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  for (let round = 0; run.status === 'requires_action' && round < MAX_MODEL_CALLS + 2; round += 1) {
    const outputs = run.required_action!.submit_tool_outputs.tool_calls.map((call) => ({
      tool_call_id: call.id,
      output: 'again',
    }));
    run = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
      thread_id: thread.id,
      tool_outputs: outputs,
    });
  }
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', new RegExp(`limit is ${MAX_MODEL_CALLS}`));
  assert.equal(chatRequests(fixture).length, MAX_MODEL_CALLS);
  assert.ok(run.failed_at !== null);
});

test('an upstream call without an id gets a call_ id, which the output answers', async () => {
  const { run, thread } = await waitingRun([
    { id: null, name: 'get_weather', arguments: { city: 'Anywhere' } } as never,
  ]);
  const callId = run.required_action!.submit_tool_outputs.tool_calls[0]!.id;
  assert.match(callId, /^call_/);
  fixture.upstream.script({ text: 'ok' });
  const finished = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: callId, output: 'x' }],
  });
  assert.equal(finished.status, 'completed');
  const second = upstreamMessages(fixture, 1);
  assert.equal(second.at(-2)!.tool_calls[0].id, callId);
  assert.equal(second.at(-1)!.tool_call_id, callId);
});

test('text before a tool call in the same turn becomes a completed message, then the call', async () => {
  fixture.upstream.script({
    text: 'Let me check.',
    toolCalls: [{ id: 'call_after_text', name: 'get_weather', arguments: { city: 'Kyiv' } }],
  });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const stream = fixture.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const run = await stream.finalRun();
  assert.equal(run.status, 'requires_action');
  assert.deepEqual((await stream.finalMessages()).map(messageText), ['Let me check.']);
  const steps = await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
  assert.deepEqual(
    steps.data.map((step) => [step.type, step.status]),
    [
      ['message_creation', 'completed'],
      ['tool_calls', 'in_progress'],
    ],
  );

  fixture.upstream.script({ text: 'Cloudy.' });
  const finished = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_after_text', output: 'cloudy' }],
  });
  assert.equal(finished.status, 'completed');
  const second = upstreamMessages(fixture, 1);
  const replayed = second
    .slice(-3)
    .map((message) => [
      message.role,
      contentText(message),
      message.tool_calls?.[0]?.id ?? message.tool_call_id ?? null,
    ]);
  assert.deepEqual(replayed[0], ['assistant', 'Let me check.', null]);
  assert.deepEqual(
    replayed.slice(1).map((entry) => entry[2]),
    ['call_after_text', 'call_after_text'],
  );
  const messages = await fixture.client.beta.threads.messages.list(thread.id, { order: 'asc' });
  assert.deepEqual(messages.data.map(messageText), ['Hello there', 'Let me check.', 'Cloudy.']);
});

test('without usage from the upstream the run still reports an estimated usage', async () => {
  fixture.upstream.script({ text: 'No usage reported here', usage: null });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'completed');
  assert.ok(run.usage !== null && run.usage.prompt_tokens > 0 && run.usage.completion_tokens > 0);
  assert.equal(run.usage.total_tokens, run.usage.prompt_tokens + run.usage.completion_tokens);
});

test('with parallel_tool_calls false only the first call of a turn is kept, even if the upstream sends more', async () => {
  fixture.upstream.script({
    toolCalls: [
      { name: 'get_weather', arguments: { city: 'Oslo' } },
      { name: 'get_time', arguments: { zone: 'CET' } },
    ],
  });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool, timeTool] });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
    parallel_tool_calls: false,
  });
  assert.equal(run.status, 'requires_action');
  const calls = run.required_action!.submit_tool_outputs.tool_calls;
  assert.deepEqual(
    calls.map((call) => call.function.name),
    ['get_weather'],
  );
  await fixture.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
});

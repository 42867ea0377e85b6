import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type OpenAI from 'openai';
import { validateAgainst } from './helpers/contract-fetch.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  assertValidStreamEvent,
  assistantAndThread,
  createAssistant,
  fetchSse,
  messageText,
  weatherTool,
} from './helpers/run-helpers.js';

type StreamEvent = OpenAI.Beta.AssistantStreamEvent;

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

test('a streamed run calls textDelta, messageDone and runStepDone, and finalRun/finalMessages hold the result', async () => {
  fixture.upstream.script({ text: ['Hel', 'lo ', 'world'], usage: { promptTokens: 12, completionTokens: 3 } });
  const { assistant, thread } = await assistantAndThread(fixture);
  const deltas: string[] = [];
  const done: OpenAI.Beta.Threads.Message[] = [];
  const stepsDone: OpenAI.Beta.Threads.Runs.RunStep[] = [];
  const events: StreamEvent[] = [];
  const stream = fixture.client.beta.threads.runs
    .stream(thread.id, { assistant_id: assistant.id })
    // Cloned: the SDK applies later deltas to the very objects it emitted (its snapshots).
    .on('event', (event) => events.push(structuredClone(event)))
    .on('textDelta', (delta) => deltas.push(delta.value ?? ''))
    .on('messageDone', (message) => done.push(message))
    .on('runStepDone', (step) => stepsDone.push(step));
  const run = await stream.finalRun();
  const messages = await stream.finalMessages();

  assert.equal(run.status, 'completed');
  assert.deepEqual(run.usage, { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
  assert.deepEqual(deltas, ['Hel', 'lo ', 'world']);
  assert.equal(done.length, 1);
  assert.equal(messageText(done[0]!), 'Hello world');
  assert.equal(done[0]!.status, 'completed');
  assert.deepEqual(messages.map(messageText), ['Hello world']);
  assert.equal(stepsDone.length, 1);
  assert.equal(stepsDone[0]!.type, 'message_creation');
  assert.equal(stepsDone[0]!.status, 'completed');
  assert.deepEqual(stepsDone[0]!.usage, { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });

  for (const event of events) assertValidStreamEvent(event);
  assert.deepEqual(
    events.map((event) => event.event),
    [
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ],
  );
  const stored = await fixture.client.beta.threads.messages.retrieve(done[0]!.id, { thread_id: thread.id });
  assert.equal(messageText(stored), 'Hello world');
});

test('iterating a stream yields every event, each valid against the contract', async () => {
  fixture.upstream.script({ text: 'Some streamed words for the iterator' });
  const { assistant, thread } = await assistantAndThread(fixture);
  const names: string[] = [];
  for await (const event of fixture.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id })) {
    assertValidStreamEvent(event);
    names.push(event.event);
  }
  assert.equal(names[0], 'thread.run.created');
  assert.equal(names.at(-1), 'thread.run.completed');
  assert.ok(names.filter((name) => name === 'thread.message.delta').length >= 2);
});

test('the raw stream ends with event done and data [DONE], and every event carries an id', async () => {
  fixture.upstream.script({ text: 'raw bytes' });
  const { assistant, thread } = await assistantAndThread(fixture);
  const events = await fetchSse(fixture, `/threads/${thread.id}/runs`, {
    body: { assistant_id: assistant.id, stream: true },
  });
  const last = events.at(-1)!;
  assert.deepEqual({ event: last.event, data: last.data }, { event: 'done', data: '[DONE]' });
  assert.deepEqual(validateAgainst('AssistantStreamEvent', { event: last.event, data: last.data }), []);
  for (const entry of events.slice(0, -1)) {
    assertValidStreamEvent(entry);
    assert.match(entry.id ?? '', /^\d+$/);
  }
  const ids = events.slice(0, -1).map((entry) => Number(entry.id));
  assert.deepEqual(
    [...ids].sort((a, b) => a - b),
    ids,
    'event ids increase',
  );
  assert.equal(events.at(-2)!.event, 'thread.run.completed');
});

test('a streamed tool call calls toolCallCreated and toolCallDelta and ends the stream at requires_action', async () => {
  fixture.upstream.script({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, argumentChunks: 4 }] });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const created: OpenAI.Beta.Threads.Runs.ToolCall[] = [];
  const argumentDeltas: string[] = [];
  const events: StreamEvent[] = [];
  const stream = fixture.client.beta.threads.runs
    .stream(thread.id, { assistant_id: assistant.id })
    .on('event', (event) => events.push(structuredClone(event)))
    .on('toolCallCreated', (call) => created.push(call))
    .on('toolCallDelta', (delta) => {
      if (delta.type === 'function') argumentDeltas.push(delta.function?.arguments ?? '');
    });
  const run = await stream.finalRun();
  for (const event of events) assertValidStreamEvent(event);

  assert.equal(run.status, 'requires_action');
  const calls = run.required_action!.submit_tool_outputs.tool_calls;
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(calls[0]!.function.arguments), { city: 'Paris' });
  assert.match(calls[0]!.id, /^call_/);
  assert.equal(created.length, 1);
  assert.equal(created[0]!.id, calls[0]!.id);
  assert.equal(argumentDeltas.join(''), calls[0]!.function.arguments);
  assert.ok(argumentDeltas.filter((delta) => delta !== '').length >= 2, 'arguments arrive in pieces');
  assert.equal(events.at(-1)!.event, 'thread.run.requires_action');
  assert.ok(!events.some((event) => event.event === 'thread.message.created'), 'no message for a pure tool call');
});

test('submitToolOutputsStream continues the run in a new stream that ends completed', async () => {
  fixture.upstream.script(
    { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] },
    { text: 'It is cold in Oslo.' },
  );
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const first = await fixture.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun();
  const callId = first.required_action!.submit_tool_outputs.tool_calls[0]!.id;

  const events: StreamEvent[] = [];
  const stepsDone: OpenAI.Beta.Threads.Runs.RunStep[] = [];
  const continuation = fixture.client.beta.threads.runs
    .submitToolOutputsStream(first.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: callId, output: '-5 C' }],
    })
    .on('event', (event) => events.push(structuredClone(event)))
    .on('runStepDone', (step) => stepsDone.push(step));
  const run = await continuation.finalRun();
  const messages = await continuation.finalMessages();
  for (const event of events) assertValidStreamEvent(event);

  assert.equal(run.status, 'completed');
  assert.deepEqual(messages.map(messageText), ['It is cold in Oslo.']);
  assert.equal(events[0]!.event, 'thread.run.step.completed', 'the tool step completes first, with its output');
  const toolStep = stepsDone.find((step) => step.type === 'tool_calls')!;
  assert.ok(toolStep.step_details.type === 'tool_calls');
  const call = toolStep.step_details.tool_calls[0]!;
  assert.ok(call.type === 'function');
  assert.equal(call.function.output, '-5 C');
  assert.ok(events.some((event) => event.event === 'thread.run.queued'));
  assert.ok(events.some((event) => event.event === 'thread.run.in_progress'));
});

test('createThreadAndRun streamed starts with thread.created and runs on the new thread', async () => {
  fixture.upstream.script({ text: 'New thread reply' });
  const assistant = await createAssistant(fixture);
  const events: StreamEvent[] = [];
  const stream = fixture.client.beta.threads
    .createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Start here' }], metadata: { from: 'stream' } },
    })
    .on('event', (event) => events.push(structuredClone(event)));
  const run = await stream.finalRun();
  for (const event of events) assertValidStreamEvent(event);

  assert.equal(events[0]!.event, 'thread.created');
  const thread = events[0]!.data as OpenAI.Beta.Thread;
  assert.equal(run.thread_id, thread.id);
  assert.equal(run.status, 'completed');
  const stored = await fixture.client.beta.threads.retrieve(thread.id);
  assert.deepEqual(stored.metadata, { from: 'stream' });
  const messages = await fixture.client.beta.threads.messages.list(thread.id, { order: 'asc' });
  assert.deepEqual(messages.data.map(messageText), ['Start here', 'New thread reply']);
});

test('createThreadAndRunPoll runs on a new thread with the run overrides applied', async () => {
  fixture.upstream.script({ text: 'Polled reply' });
  const assistant = await createAssistant(fixture);
  const run = await fixture.client.beta.threads.createAndRunPoll({
    assistant_id: assistant.id,
    instructions: 'Thread-and-run instructions',
    temperature: 0.1,
    thread: { messages: [{ role: 'user', content: 'Poll me' }] },
  });
  assert.equal(run.status, 'completed');
  assert.equal(run.instructions, 'Thread-and-run instructions');
  const messages = await fixture.client.beta.threads.messages.list(run.thread_id, { order: 'asc' });
  assert.deepEqual(messages.data.map(messageText), ['Poll me', 'Polled reply']);
  const body = fixture.upstream.requests[0]!.body;
  assert.deepEqual(body.messages[0], { role: 'system', content: 'Thread-and-run instructions' });
  assert.equal(body.temperature, 0.1);
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type OpenAI from 'openai';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  assertValidStreamEvent,
  assistantAndThread,
  chatRequests,
  messageText,
  requiresActionRun,
  weatherTool,
} from './helpers/run-helpers.js';
import { ControlledResponse } from './upstream/index.js';

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { UPSTREAM_MAX_RETRIES: '2' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

test('cancelling mid-stream aborts the upstream call and ends the run cancelled with an incomplete message', async () => {
  const upstreamStream = new ControlledResponse();
  fixture.upstream.script({ controlled: upstreamStream });
  const { assistant, thread } = await assistantAndThread(fixture);
  const events: OpenAI.Beta.AssistantStreamEvent[] = [];
  const stream = fixture.client.beta.threads.runs
    .stream(thread.id, { assistant_id: assistant.id })
    .on('event', (event) => events.push(structuredClone(event)));
  const firstText = new Promise<void>((resolve) => stream.once('textDelta', () => resolve()));
  upstreamStream.text('Partial answer');
  await firstText;
  const run = stream.currentRun()!;

  const cancelling = await fixture.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  assert.equal(cancelling.status, 'cancelling');
  const final = await stream.finalRun();
  assert.equal(final.status, 'cancelled');
  assert.ok(final.cancelled_at !== null);
  for (const event of events) assertValidStreamEvent(event);
  assert.deepEqual(
    events.slice(-4).map((event) => event.event),
    ['thread.run.cancelling', 'thread.message.incomplete', 'thread.run.step.cancelled', 'thread.run.cancelled'],
  );

  const upstreamRequest = fixture.upstream.requests[0]!;
  await upstreamRequest.done;
  assert.equal(upstreamRequest.clientDisconnected, true, 'the upstream request was aborted');

  const messages = await fixture.client.beta.threads.messages.list(thread.id, { order: 'asc', run_id: run.id });
  assert.equal(messages.data.length, 1);
  assert.equal(messages.data[0]!.status, 'incomplete');
  assert.deepEqual(messages.data[0]!.incomplete_details, { reason: 'run_cancelled' });
  assert.equal(messageText(messages.data[0]!), 'Partial answer');
  const stored = await fixture.client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
  assert.equal(stored.status, 'cancelled');
});

test('cancelling a run that waits for tool outputs cancels it at once, with its tool step', async () => {
  const { run, thread } = await requiresActionRun(fixture);
  await fixture.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  const stored = await fixture.client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
  assert.equal(stored.status, 'cancelled');
  assert.equal(stored.required_action, null);
  const steps = await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
  assert.deepEqual(
    steps.data.map((step) => step.status),
    ['cancelled'],
  );
  await rejectsWith(
    fixture.client.beta.threads.runs.submitToolOutputs(run.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_wait', output: 'late' }],
    }),
    { status: 400, message: 'Runs in status "cancelled" do not accept tool outputs.' },
  );
});

test('cancelling a finished run is a 400', async () => {
  fixture.upstream.script({ text: 'done' });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'completed');
  await rejectsWith(fixture.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id }), {
    status: 400,
    message: "Cannot cancel run with status 'completed'.",
  });
});

test('cancelling while the tool call is still streaming cancels its step and the run', async () => {
  // Twenty argument pieces 250 ms apart: the call is still streaming when the cancel arrives.
  fixture.upstream.script({
    toolCalls: [{ id: 'call_cut', name: 'get_weather', arguments: { city: 'Somewhere far away' }, argumentChunks: 20 }],
    chunkDelayMs: 250,
  });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const stream = fixture.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  await new Promise<void>((resolve) => stream.once('toolCallDelta', () => resolve()));
  const runId = stream.currentRun()!.id;
  await fixture.client.beta.threads.runs.cancel(runId, { thread_id: thread.id });
  const run = await stream.finalRun();
  assert.equal(run.status, 'cancelled');
  assert.equal(run.required_action, null);
  const steps = await fixture.client.beta.threads.runs.steps.list(runId, { thread_id: thread.id });
  assert.deepEqual(
    steps.data.map((step) => [step.type, step.status]),
    [['tool_calls', 'cancelled']],
  );
  await fixture.upstream.requests[0]!.done;
  assert.equal(fixture.upstream.requests[0]!.clientDisconnected, true);
});

test('cancelling while the upstream has not answered yet aborts the call', async () => {
  fixture.upstream.script({ hang: true });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  await fixture.upstream.waitForRequests(1);
  await fixture.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  const final = await fixture.client.beta.threads.runs.poll(run.id, { thread_id: thread.id });
  assert.equal(final.status, 'cancelled');
  await fixture.upstream.requests[0]!.done;
  assert.equal(fixture.upstream.requests[0]!.clientDisconnected, true);
});

test('cancelling during the back-off between retries stops the retries', async () => {
  fixture.upstream.script(
    { error: { status: 503, message: 'overloaded' } },
    { error: { status: 503, message: 'overloaded' } },
    { error: { status: 503, message: 'overloaded' } },
  );
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  await fixture.upstream.waitForRequests(1);
  await fixture.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  const final = await fixture.client.beta.threads.runs.poll(run.id, { thread_id: thread.id });
  assert.equal(final.status, 'cancelled');
  assert.equal(final.last_error, null);
  assert.ok(chatRequests(fixture).length < 3, 'the retries stopped');
});

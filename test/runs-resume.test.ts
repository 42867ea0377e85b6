import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  assertValidStreamEvent,
  assistantAndThread,
  fetchSse,
  messageText,
  parseSse,
  type RawSseEvent,
  weatherTool,
} from './helpers/run-helpers.js';
import { ControlledResponse } from './upstream/index.js';

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

/** Opens a raw SSE request and resolves with its events once `until` has been read; the request stays open. */
async function openSse(
  path: string,
  init: { body?: unknown; headers?: Record<string, string> },
  until: (event: RawSseEvent) => boolean,
) {
  const controller = new AbortController();
  const response = await fetch(`${fixture.server.baseURL}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { authorization: 'Bearer test-key', 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    assert.ok(!done, 'the stream ended before the awaited event');
    text += decoder.decode(value, { stream: true });
    const complete = text.slice(0, text.lastIndexOf('\n\n') + 2);
    const events = parseSse(complete);
    if (events.some(until)) return { events, abort: () => controller.abort() };
  }
}

test('a client that disconnects from the stream does not stop the run: it completes with the whole message', async () => {
  const upstreamStream = new ControlledResponse();
  fixture.upstream.script({ controlled: upstreamStream });
  const { assistant, thread } = await assistantAndThread(fixture);
  upstreamStream.text('First half, ');
  const opened = await openSse(
    `/threads/${thread.id}/runs`,
    { body: { assistant_id: assistant.id, stream: true } },
    (event) => event.event === 'thread.message.delta',
  );
  const runId = (opened.events[0]!.data as { id: string }).id;
  opened.abort();

  upstreamStream.text('second half.');
  upstreamStream.finish();
  const run = await fixture.client.beta.threads.runs.poll(runId, { thread_id: thread.id });
  assert.equal(run.status, 'completed');
  const [message] = (await fixture.client.beta.threads.messages.list(thread.id, { run_id: runId })).data;
  assert.equal(message!.status, 'completed');
  assert.equal(messageText(message!), 'First half, second half.');
  assert.equal(fixture.upstream.requests[0]!.clientDisconnected, false, 'the upstream call was not aborted');
});

test('the events endpoint replays exactly the events after Last-Event-ID and ends with done', async () => {
  fixture.upstream.script({ text: ['one ', 'two ', 'three ', 'four'] });
  const { assistant, thread } = await assistantAndThread(fixture);
  const original = await fetchSse(fixture, `/threads/${thread.id}/runs`, {
    body: { assistant_id: assistant.id, stream: true },
  });
  const runId = (original[0]!.data as { id: string }).id;
  const body = original.slice(0, -1);
  const cut = body.findIndex((event) => event.event === 'thread.message.delta') + 1;

  const resumed = await fetchSse(fixture, `/threads/${thread.id}/runs/${runId}/events`, {
    headers: { 'last-event-id': body[cut]!.id! },
  });
  assert.deepEqual(resumed.slice(0, -1), body.slice(cut + 1));
  assert.deepEqual(resumed.at(-1), { id: undefined, event: 'done', data: '[DONE]' });

  const replayed = await fetchSse(fixture, `/threads/${thread.id}/runs/${runId}/events`);
  assert.deepEqual(replayed, original, 'without Last-Event-ID the whole stream is replayed');
  for (const event of replayed.slice(0, -1)) assertValidStreamEvent(event);
});

test('resuming after the last event of a finished run ends at once with done', async () => {
  fixture.upstream.script({ text: 'short' });
  const { assistant, thread } = await assistantAndThread(fixture);
  const original = await fetchSse(fixture, `/threads/${thread.id}/runs`, {
    body: { assistant_id: assistant.id, stream: true },
  });
  const runId = (original[0]!.data as { id: string }).id;
  const lastId = original.at(-2)!.id!;
  const resumed = await fetchSse(fixture, `/threads/${thread.id}/runs/${runId}/events`, {
    headers: { 'last-event-id': lastId },
  });
  assert.deepEqual(resumed, [{ id: undefined, event: 'done', data: '[DONE]' }]);
});

test('the events endpoint follows a live run to its end', async () => {
  const upstreamStream = new ControlledResponse();
  fixture.upstream.script({ controlled: upstreamStream });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  upstreamStream.text('live ');
  const opened = await openSse(
    `/threads/${thread.id}/runs/${run.id}/events`,
    {},
    (event) => event.event === 'thread.message.delta',
  );
  const seen = opened.events.at(-1)!.id!;
  opened.abort();
  const rest = fetchSse(fixture, `/threads/${thread.id}/runs/${run.id}/events`, { headers: { 'last-event-id': seen } });
  upstreamStream.text('text');
  upstreamStream.finish();
  const events = await rest;
  assert.deepEqual(
    events.map((event) => event.event),
    ['thread.message.delta', 'thread.message.completed', 'thread.run.step.completed', 'thread.run.completed', 'done'],
  );
});

test('resuming after requires_action waits for the continuation that the tool outputs start', async () => {
  fixture.upstream.script(
    { toolCalls: [{ id: 'call_resume', name: 'get_weather', arguments: { city: 'Nice' } }] },
    { text: 'Mild.' },
  );
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const first = await fetchSse(fixture, `/threads/${thread.id}/runs`, {
    body: { assistant_id: assistant.id, stream: true },
  });
  assert.equal(first.at(-2)!.event, 'thread.run.requires_action');
  const runId = (first[0]!.data as { id: string }).id;
  const continuation = fetchSse(fixture, `/threads/${thread.id}/runs/${runId}/events`, {
    headers: { 'last-event-id': first.at(-2)!.id! },
  });
  await fixture.client.beta.threads.runs.submitToolOutputs(runId, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_resume', output: '18 C' }],
  });
  const events = await continuation;
  assert.equal(events[0]!.event, 'thread.run.step.completed');
  assert.deepEqual(
    events.slice(-2).map((event) => event.event),
    ['thread.run.completed', 'done'],
  );
  for (const event of events.slice(0, -1)) assertValidStreamEvent(event);
});

test('a malformed Last-Event-ID is a 400 and an unknown run a 404', async () => {
  fixture.upstream.script({ text: 'x' });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  const bad = await fetch(`${fixture.server.baseURL}/threads/${thread.id}/runs/${run.id}/events`, {
    headers: { authorization: 'Bearer test-key', 'last-event-id': 'not-a-number' },
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /Last-Event-ID/);
  const missing = await fetch(`${fixture.server.baseURL}/threads/${thread.id}/runs/run_doesnotexist/events`, {
    headers: { authorization: 'Bearer test-key' },
  });
  assert.equal(missing.status, 404);
  await rejectsWith(fixture.client.beta.threads.runs.retrieve('run_doesnotexist', { thread_id: thread.id }), {
    status: 404,
  });
});

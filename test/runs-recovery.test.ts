import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sdkClient } from './helpers/client.js';
import { startRunFixture } from './helpers/run-fixture.js';
import { assertValidStreamEvent, messageText, parseSse } from './helpers/run-helpers.js';
import { removeDataDir, startTestServer } from './helpers/test-server.js';
import { ControlledResponse } from './upstream/index.js';

test('after kill -9 mid-stream, a restart fails the orphaned run, keeps its streamed text, and runs what was queued', async (t) => {
  // One run at a time, so the second run is still queued when the server dies.
  const fixture = await startRunFixture({ env: { RUN_CONCURRENCY: '1' } });
  t.after(() => fixture.upstream.close());
  const { client, upstream } = fixture;
  const upstreamStream = new ControlledResponse();
  upstream.script({ controlled: upstreamStream });

  const assistant = await client.beta.assistants.create({ model: 'gpt-4o-mini' });
  const busyThread = await client.beta.threads.create({
    messages: [{ role: 'user', content: 'Tell me a long story' }],
  });
  const waitingThread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'And a short one' }] });

  const stream = client.beta.threads.runs.stream(busyThread.id, { assistant_id: assistant.id });
  const streamed = new Promise<void>((resolve) =>
    stream.on('textDelta', (_delta, snapshot) => snapshot.value === 'Once upon a time' && resolve()),
  );
  stream.on('error', () => undefined);
  upstreamStream.text('Once upon ');
  upstreamStream.text('a time');
  await streamed;
  const busyRun = stream.currentRun()!;
  const queuedRun = await client.beta.threads.runs.create(waitingThread.id, { assistant_id: assistant.id });
  assert.equal(queuedRun.status, 'queued');

  await fixture.server.kill();
  await stream.finalRun().catch(() => undefined);

  upstream.reset();
  upstream.script({ text: 'A short story.' });
  const restarted = await startTestServer({
    dataDir: fixture.server.dataDir,
    env: { OPENAI_BASE_URL: upstream.baseURL, OPENAI_API_KEY: 'upstream-key' },
  });
  t.after(async () => {
    await restarted.stop();
    removeDataDir(restarted);
  });
  const after = sdkClient(restarted);

  const recovered = await after.beta.threads.runs.poll(busyRun.id, { thread_id: busyThread.id });
  assert.equal(recovered.status, 'failed');
  assert.equal(recovered.last_error?.code, 'server_error');
  assert.match(recovered.last_error?.message ?? '', /interrupted/);
  const [partial] = (await after.beta.threads.messages.list(busyThread.id, { run_id: busyRun.id })).data;
  assert.equal(partial!.status, 'incomplete');
  assert.deepEqual(partial!.incomplete_details, { reason: 'run_failed' });
  assert.equal(messageText(partial!), 'Once upon a time');
  const steps = await after.beta.threads.runs.steps.list(busyRun.id, { thread_id: busyThread.id });
  assert.deepEqual(
    steps.data.map((step) => step.status),
    ['failed'],
  );
  // The recovery is in the run's event log too: a client resuming its stream sees the run end.
  const replay = parseSse(
    await (
      await fetch(`${restarted.baseURL}/threads/${busyThread.id}/runs/${busyRun.id}/events`, {
        headers: { authorization: 'Bearer test-key' },
      })
    ).text(),
  );
  assert.deepEqual(
    replay.slice(-4).map((event) => event.event),
    ['thread.message.incomplete', 'thread.run.step.failed', 'thread.run.failed', 'done'],
  );
  for (const event of replay.slice(0, -1)) assertValidStreamEvent(event);

  const finished = await after.beta.threads.runs.poll(queuedRun.id, { thread_id: waitingThread.id });
  assert.equal(finished.status, 'completed');
  const messages = await after.beta.threads.messages.list(waitingThread.id, { run_id: queuedRun.id });
  assert.deepEqual(messages.data.map(messageText), ['A short story.']);

  // The recovered thread is unlocked again.
  await after.beta.threads.messages.create(busyThread.id, { role: 'user', content: 'Still there?' });
});

test('a run waiting for tool outputs survives a kill -9 and continues after the restart', async (t) => {
  const fixture = await startRunFixture();
  t.after(() => fixture.upstream.close());
  const { client, upstream } = fixture;
  upstream.script({ toolCalls: [{ id: 'call_survive', name: 'lookup', arguments: { q: 'x' } }] });
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o-mini',
    tools: [
      {
        type: 'function',
        function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
      },
    ],
  });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'look it up' }] });
  const waiting = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(waiting.status, 'requires_action');

  await fixture.server.kill();
  upstream.script({ text: 'Found it.' });
  const restarted = await startTestServer({
    dataDir: fixture.server.dataDir,
    env: { OPENAI_BASE_URL: upstream.baseURL },
  });
  t.after(async () => {
    await restarted.stop();
    removeDataDir(restarted);
  });
  const after = sdkClient(restarted);
  assert.equal(
    (await after.beta.threads.runs.retrieve(waiting.id, { thread_id: thread.id })).status,
    'requires_action',
  );
  const run = await after.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_survive', output: 'x is 1' }],
  });
  assert.equal(run.status, 'completed');
  const toolMessage = upstream.requests.at(-1)!.body.messages.at(-1);
  assert.deepEqual([toolMessage.role, toolMessage.tool_call_id], ['tool', 'call_survive']);
});

test('a graceful stop ends open streams at once, fails the executing run, and its stream resumes after the restart', async (t) => {
  const fixture = await startRunFixture();
  t.after(() => fixture.upstream.close());
  const { client, upstream } = fixture;
  const upstreamStream = new ControlledResponse();
  upstream.script({ controlled: upstreamStream });
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o-mini' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Keep talking' }] });
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  stream.on('error', () => undefined);
  const streamed = new Promise<void>((resolve) => stream.once('textDelta', () => resolve()));
  upstreamStream.text('Talking');
  await streamed;
  const runId = stream.currentRun()!.id;

  // Without ending the streams, SIGTERM would wait for a run that the upstream never finishes.
  await fixture.server.stop();
  await assert.rejects(stream.finalRun(), 'the cut stream has no terminal run event');

  const restarted = await startTestServer({
    dataDir: fixture.server.dataDir,
    env: { OPENAI_BASE_URL: upstream.baseURL },
  });
  t.after(async () => {
    await restarted.stop();
    removeDataDir(restarted);
  });
  const run = await sdkClient(restarted).beta.threads.runs.retrieve(runId, { thread_id: thread.id });
  assert.equal(run.status, 'failed');
  assert.match(run.last_error?.message ?? '', /shut down/);
  const response = await fetch(`${restarted.baseURL}/threads/${thread.id}/runs/${runId}/events`, {
    headers: { authorization: 'Bearer test-key' },
  });
  const text = await response.text();
  assert.match(text, /event: thread\.run\.failed\n/);
  assert.ok(text.endsWith('event: done\ndata: [DONE]\n\n'));
});

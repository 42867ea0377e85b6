import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { assistantAndThread, requiresActionRun, waitForRun, weatherTool } from './helpers/run-helpers.js';
import { ControlledResponse } from './upstream/index.js';

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture();
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

test('while a run is active the thread takes no new message and no new run, with OpenAI texts', async () => {
  const { assistant, run, thread } = await requiresActionRun(fixture);
  await rejectsWith(fixture.client.beta.threads.messages.create(thread.id, { role: 'user', content: 'more' }), {
    status: 400,
    message: `Can't add messages to ${thread.id} while a run ${run.id} is active.`,
  });
  await rejectsWith(fixture.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }), {
    status: 400,
    message: `Thread ${thread.id} already has an active run ${run.id}.`,
  });
  fixture.upstream.script({ text: 'all done' });
  const finished = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: 'call_wait', output: 'ok' }],
  });
  assert.equal(finished.status, 'completed');
  const message = await fixture.client.beta.threads.messages.create(thread.id, {
    role: 'user',
    content: 'after the run',
  });
  assert.equal(message.role, 'user');
});

test('the thread is locked while the model is still streaming too', async () => {
  const upstreamStream = new ControlledResponse();
  fixture.upstream.script({ controlled: upstreamStream });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  await upstreamStream.connected;
  await rejectsWith(fixture.client.beta.threads.messages.create(thread.id, { role: 'user', content: 'x' }), {
    status: 400,
    message: `Can't add messages to ${thread.id} while a run ${run.id} is active.`,
  });
  upstreamStream.text('fine');
  upstreamStream.finish();
  const done = await fixture.client.beta.threads.runs.poll(run.id, { thread_id: thread.id });
  assert.equal(done.status, 'completed');
});

test('a run left waiting for tool outputs past expires_at becomes expired and takes no late outputs', async () => {
  // A server of its own: with a 1 s expiry, runs in the other tests could expire under them.
  const expiring = await startRunFixture({ env: { RUN_EXPIRES_AFTER_SECONDS: '1', RUN_SWEEP_INTERVAL_MS: '100' } });
  try {
    expiring.upstream.script({ toolCalls: [{ id: 'call_wait', name: 'get_weather', arguments: { city: 'Bern' } }] });
    const { assistant, thread } = await assistantAndThread(expiring, { tools: [weatherTool] });
    const run = await expiring.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    const expired = await waitForRun(
      expiring,
      thread.id,
      run.id,
      (current) => current.status === 'expired',
      'the run to expire',
    );
    assert.equal(expired.required_action, null);
    assert.equal(expired.expires_at, null);
    const steps = await expiring.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    assert.deepEqual(
      steps.data.map((step) => step.status),
      ['expired'],
    );
    assert.ok(steps.data[0]!.expired_at !== null);
    await rejectsWith(
      expiring.client.beta.threads.runs.submitToolOutputs(run.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_wait', output: 'late' }],
      }),
      { status: 400, message: 'Runs in status "expired" do not accept tool outputs.' },
    );
    // An expired run no longer holds the thread.
    await expiring.client.beta.threads.messages.create(thread.id, { role: 'user', content: 'next' });
  } finally {
    await expiring.close();
  }
});

test('with RUN_CONCURRENCY=1 a second run waits queued, can be cancelled there, and a third runs once the first ends', async () => {
  const single = await startRunFixture({ env: { RUN_CONCURRENCY: '1' } });
  try {
    const upstreamStream = new ControlledResponse();
    single.upstream.script({ controlled: upstreamStream }, { text: 'third' });
    const assistant = await single.client.beta.assistants.create({ model: 'gpt-4o-mini' });
    const threads = await Promise.all(
      [1, 2, 3].map((index) =>
        single.client.beta.threads.create({ messages: [{ role: 'user', content: `thread ${index}` }] }),
      ),
    );
    const first = await single.client.beta.threads.runs.create(threads[0]!.id, { assistant_id: assistant.id });
    await upstreamStream.connected;
    const second = await single.client.beta.threads.runs.create(threads[1]!.id, { assistant_id: assistant.id });
    const third = await single.client.beta.threads.runs.create(threads[2]!.id, { assistant_id: assistant.id });
    assert.equal(
      (await single.client.beta.threads.runs.retrieve(second.id, { thread_id: threads[1]!.id })).status,
      'queued',
    );

    await single.client.beta.threads.runs.cancel(second.id, { thread_id: threads[1]!.id });
    assert.equal(
      (await single.client.beta.threads.runs.retrieve(second.id, { thread_id: threads[1]!.id })).status,
      'cancelled',
    );
    assert.equal(
      (await single.client.beta.threads.runs.retrieve(third.id, { thread_id: threads[2]!.id })).status,
      'queued',
    );

    upstreamStream.text('first');
    upstreamStream.finish();
    assert.equal(
      (await single.client.beta.threads.runs.poll(first.id, { thread_id: threads[0]!.id })).status,
      'completed',
    );
    assert.equal(
      (await single.client.beta.threads.runs.poll(third.id, { thread_id: threads[2]!.id })).status,
      'completed',
    );
    assert.equal(single.upstream.requests.length, 2, 'the cancelled run never reached the model');
  } finally {
    await single.close();
  }
});

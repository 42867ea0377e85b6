import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { assertValidStreamEvent, assistantAndThread, chatRequests, messageText } from './helpers/run-helpers.js';
import { ControlledResponse, type ScriptEntry } from './upstream/index.js';

let fixture: RunFixture;

before(async () => {
  // Two retries (three attempts) per model call; a silent upstream is given up on after 500 ms.
  fixture = await startRunFixture({ env: { UPSTREAM_MAX_RETRIES: '2', UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '500' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

async function runWith(...entries: ScriptEntry[]) {
  fixture.upstream.script(...entries);
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  return { run, thread };
}

test('a 401 from the upstream fails the run at once with a last_error that names it', async () => {
  const { run, thread } = await runWith({
    error: {
      status: 401,
      message: 'Incorrect API key provided',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    },
  });
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', /401/);
  assert.match(run.last_error?.message ?? '', /Incorrect API key provided/);
  assert.ok(run.failed_at !== null);
  assert.equal(chatRequests(fixture).length, 1, 'an authentication failure is not retried');
  const messages = await fixture.client.beta.threads.messages.list(thread.id, { run_id: run.id });
  assert.equal(messages.data.length, 0);
});

test('a 400 from the upstream fails the run with invalid_prompt, without retries', async () => {
  const { run } = await runWith({
    error: { status: 400, message: "Invalid value for 'messages'", type: 'invalid_request_error' },
  });
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'invalid_prompt');
  assert.match(run.last_error?.message ?? '', /Invalid value for 'messages'/);
  assert.equal(chatRequests(fixture).length, 1);
});

test('a 429 followed by success is retried and the run completes', async () => {
  const { run, thread } = await runWith(
    { error: { status: 429, message: 'Slow down', type: 'requests', code: 'rate_limit_exceeded', retryAfter: 0 } },
    { text: 'After the retry' },
  );
  assert.equal(run.status, 'completed');
  assert.equal(chatRequests(fixture).length, 2);
  assert.deepEqual(chatRequests(fixture)[0]!.body, chatRequests(fixture)[1]!.body, 'the retry sends the same request');
  const messages = await fixture.client.beta.threads.messages.list(thread.id, { run_id: run.id });
  assert.deepEqual(messages.data.map(messageText), ['After the retry']);
});

test('429s until the retries run out fail the run with rate_limit_exceeded', async () => {
  const limited = {
    error: { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', retryAfter: 0 },
  };
  const { run } = await runWith(limited, limited, limited);
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'rate_limit_exceeded');
  assert.match(run.last_error?.message ?? '', /Rate limit reached/);
  assert.equal(chatRequests(fixture).length, 3);
});

test('three 500s exhaust the retries and fail the run with server_error', async () => {
  const broken = { error: { status: 500, message: 'The upstream is broken' } };
  const { run } = await runWith(broken, broken, broken);
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', /500/);
  assert.equal(chatRequests(fixture).length, 3);
});

test('a malformed stream after some text fails the run and keeps the text in an incomplete message', async () => {
  fixture.upstream.script({ malformed: { textBefore: ['Half ', 'a sentence'] } });
  const { assistant, thread } = await assistantAndThread(fixture);
  const events: OpenAI.Beta.AssistantStreamEvent[] = [];
  const stream = fixture.client.beta.threads.runs
    .stream(thread.id, { assistant_id: assistant.id })
    .on('event', (event) => events.push(structuredClone(event)));
  const run = await stream.finalRun();
  for (const event of events) assertValidStreamEvent(event);
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', /invalid response/i);
  assert.equal(chatRequests(fixture).length, 1, 'output already streamed is never repeated by a retry');
  assert.deepEqual(
    events.slice(-3).map((event) => event.event),
    ['thread.message.incomplete', 'thread.run.step.failed', 'thread.run.failed'],
  );
  const [message] = (await fixture.client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
  assert.equal(message!.status, 'incomplete');
  assert.deepEqual(message!.incomplete_details, { reason: 'run_failed' });
  assert.equal(messageText(message!), 'Half a sentence');
  const [step] = (await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })).data;
  assert.equal(step!.status, 'failed');
  assert.equal(step!.last_error?.code, 'server_error');
});

test('a malformed stream before any output is failed too, never a hung run', async () => {
  const { run } = await runWith({ malformed: {} });
  assert.equal(run.status, 'failed');
  assert.match(run.last_error?.message ?? '', /invalid response/i);
});

test('an upstream that hangs is given up on, retried, and the run fails instead of hanging', async () => {
  const { run } = await runWith({ hang: true }, { hang: true }, { hang: true });
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', /sent nothing within 500 ms/);
  assert.equal(chatRequests(fixture).length, 3);
  for (const request of chatRequests(fixture)) {
    await request.done;
    assert.equal(request.clientDisconnected, true, 'each silent attempt is hung up on');
  }
});

test('a hang followed by a good response completes the run', async () => {
  const { run } = await runWith({ hang: true }, { text: 'Second time lucky' });
  assert.equal(run.status, 'completed');
  assert.equal(chatRequests(fixture).length, 2);
});

test('a stream that ends without a finish reason fails the run', async () => {
  fixture.upstream.script(() => ({ controlled: endsEarly() }));
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'failed');
  assert.match(run.last_error?.message ?? '', /without (a )?finish/);
});

function endsEarly(): ControlledResponse {
  const response = new ControlledResponse();
  response.text('cut ');
  response.endWithoutFinish();
  return response;
}

test('an upstream that goes quiet mid-response is hung up on and the run fails, keeping the text so far', async () => {
  const stalled = new ControlledResponse();
  stalled.text('Started but ');
  fixture.upstream.script({ controlled: stalled });
  const { assistant, thread } = await assistantAndThread(fixture);
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'failed');
  assert.equal(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', /500 ms/);
  assert.equal(chatRequests(fixture).length, 1, 'output already streamed is never repeated by a retry');
  await chatRequests(fixture)[0]!.done;
  assert.equal(chatRequests(fixture)[0]!.clientDisconnected, true);
  const [message] = (await fixture.client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
  assert.equal(message!.status, 'incomplete');
  assert.equal(messageText(message!), 'Started but ');
});

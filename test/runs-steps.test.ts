import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { sdkClient } from './helpers/client.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { assistantAndThread, weatherTool } from './helpers/run-helpers.js';

const INCLUDE = 'step_details.tool_calls[*].file_search.results[*].content' as const;

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { API_KEYS: 'test-key=alpha,other-key=beta' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

/** A finished run with three steps: two tool rounds, then a message. */
async function threeStepRun() {
  fixture.upstream.script(
    {
      toolCalls: [{ id: 'call_s1', name: 'get_weather', arguments: { city: 'A' } }],
      usage: { promptTokens: 11, completionTokens: 1 },
    },
    {
      toolCalls: [{ id: 'call_s2', name: 'get_weather', arguments: { city: 'B' } }],
      usage: { promptTokens: 22, completionTokens: 2 },
    },
    { text: 'Both fine.', usage: { promptTokens: 33, completionTokens: 3 } },
  );
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  let run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  for (const callId of ['call_s1', 'call_s2']) {
    run = await fixture.client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: callId, output: 'fine' }],
    });
  }
  assert.equal(run.status, 'completed');
  return { assistant, thread, run };
}

test('run steps are listed in both orders, paginate with cursors and carry their own usage', async () => {
  const { thread, run } = await threeStepRun();
  const ascending = await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
  assert.deepEqual(
    ascending.data.map((step) => step.type),
    ['tool_calls', 'tool_calls', 'message_creation'],
  );
  assert.deepEqual(
    ascending.data.map((step) => step.usage?.total_tokens),
    [12, 24, 36],
  );
  assert.ok(
    ascending.data.every(
      (step) => step.run_id === run.id && step.thread_id === thread.id && step.status === 'completed',
    ),
  );
  assert.ok(ascending.data.every((step) => /^step_/.test(step.id) && step.object === 'thread.run.step'));
  assert.deepEqual(run.usage, { prompt_tokens: 66, completion_tokens: 6, total_tokens: 72 });

  const descending = await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
  assert.deepEqual(
    descending.data.map((step) => step.id),
    ascending.data.map((step) => step.id).reverse(),
  );

  const firstPage = await fixture.client.beta.threads.runs.steps.list(run.id, {
    thread_id: thread.id,
    order: 'asc',
    limit: 2,
  });
  assert.equal(firstPage.has_more, true);
  assert.equal(firstPage.data.length, 2);
  const secondPage = await fixture.client.beta.threads.runs.steps.list(run.id, {
    thread_id: thread.id,
    order: 'asc',
    limit: 2,
    after: firstPage.data[1]!.id,
  });
  assert.equal(secondPage.has_more, false);
  assert.deepEqual(
    secondPage.data.map((step) => step.id),
    [ascending.data[2]!.id],
  );

  const all: string[] = [];
  for await (const step of fixture.client.beta.threads.runs.steps.list(run.id, {
    thread_id: thread.id,
    order: 'asc',
    limit: 1,
  }))
    all.push(step.id);
  assert.deepEqual(
    all,
    ascending.data.map((step) => step.id),
  );
});

test('a run step can be retrieved, with include[] accepted', async () => {
  const { thread, run } = await threeStepRun();
  const [first] = (
    await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc', limit: 1 })
  ).data;
  const step = await fixture.client.beta.threads.runs.steps.retrieve(first!.id, {
    thread_id: thread.id,
    run_id: run.id,
    include: [INCLUDE],
  });
  assert.deepEqual(step, first);
  assert.ok(step.step_details.type === 'tool_calls');
  assert.deepEqual(step.step_details.tool_calls, [
    { id: 'call_s1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"A"}', output: 'fine' } },
  ]);
  const listed = await fixture.client.beta.threads.runs.steps.list(run.id, {
    thread_id: thread.id,
    include: [INCLUDE],
  });
  assert.equal(listed.data.length, 3);
});

test('an unknown include value is a 400 on step list, step retrieve and run create', async () => {
  const { assistant, thread, run } = await threeStepRun();
  const bad = ['step_details.everything'] as unknown as [typeof INCLUDE];
  await rejectsWith(fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, include: bad }), {
    status: 400,
    param: 'include',
  });
  const [step] = (await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })).data;
  await rejectsWith(
    fixture.client.beta.threads.runs.steps.retrieve(step!.id, { thread_id: thread.id, run_id: run.id, include: bad }),
    { status: 400, param: 'include' },
  );
  await rejectsWith(fixture.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, include: bad }), {
    status: 400,
    param: 'include',
  });
});

test('unknown steps, runs and threads are 404s', async () => {
  const { thread, run } = await threeStepRun();
  await rejectsWith(
    fixture.client.beta.threads.runs.steps.retrieve('step_missing', { thread_id: thread.id, run_id: run.id }),
    { status: 404 },
  );
  await rejectsWith(fixture.client.beta.threads.runs.steps.list('run_missing', { thread_id: thread.id }), {
    status: 404,
  });
  await rejectsWith(fixture.client.beta.threads.runs.list('thread_missing'), { status: 404 });
  const otherThread = await fixture.client.beta.threads.create();
  await rejectsWith(fixture.client.beta.threads.runs.retrieve(run.id, { thread_id: otherThread.id }), { status: 404 });
});

test("another project's runs and steps are 404s and cannot be changed", async () => {
  const { assistant, thread, run } = await threeStepRun();
  const [step] = (await fixture.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })).data;
  const other = sdkClient(fixture.server, 'other-key');
  await rejectsWith(other.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), { status: 404 });
  await rejectsWith(other.beta.threads.runs.list(thread.id), { status: 404 });
  await rejectsWith(other.beta.threads.runs.steps.list(run.id, { thread_id: thread.id }), { status: 404 });
  await rejectsWith(other.beta.threads.runs.steps.retrieve(step!.id, { thread_id: thread.id, run_id: run.id }), {
    status: 404,
  });
  await rejectsWith(other.beta.threads.runs.update(run.id, { thread_id: thread.id, metadata: { x: 'y' } }), {
    status: 404,
  });
  await rejectsWith(other.beta.threads.runs.cancel(run.id, { thread_id: thread.id }), { status: 404 });
  await rejectsWith(other.beta.threads.runs.submitToolOutputs(run.id, { thread_id: thread.id, tool_outputs: [] }), {
    status: 404,
  });
  await rejectsWith(other.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }), { status: 404 });
  const events = await fetch(`${fixture.server.baseURL}/threads/${thread.id}/runs/${run.id}/events`, {
    headers: { authorization: 'Bearer other-key' },
  });
  assert.equal(events.status, 404);

  // Their own thread cannot use our assistant either.
  const theirThread = await other.beta.threads.create({ messages: [{ role: 'user', content: 'hi' }] });
  await rejectsWith(other.beta.threads.runs.create(theirThread.id, { assistant_id: assistant.id }), { status: 404 });
  await rejectsWith(other.beta.threads.createAndRun({ assistant_id: assistant.id }), { status: 404 });
  assert.deepEqual((await fixture.client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).metadata, {});
});

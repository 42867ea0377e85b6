import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jsonOf, withBackendDb } from './helpers/backend-db.js';
import { slowestHealthCheck } from './helpers/health-latency.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { chatRequests, createAssistant, upstreamMessages, waitForRun } from './helpers/run-helpers.js';

/** How a run's context is built: counts kept per message, long inputs off the event loop, clear failures. */
describe('run context', () => {
  let fixture: RunFixture;

  before(async () => {
    fixture = await startRunFixture({ env: { DEFAULT_CONTEXT_WINDOW: '8192' } });
  });

  after(async () => {
    await fixture.close();
  });

  test('each thread message is counted once and its count kept with it; later runs read the kept counts', async () => {
    const assistant = await createAssistant(fixture);
    const thread = await fixture.client.beta.threads.create({
      messages: [
        { role: 'user', content: 'First question.' },
        { role: 'assistant', content: 'First answer.' },
        { role: 'user', content: 'Second question.' },
      ],
    });
    fixture.upstream.script({ text: 'Done.' });
    const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.equal(run.status, 'completed');

    const rows = await withBackendDb(fixture.server.dataDir, (db) =>
      db.all<{ run_id: string | null; token_counts: unknown }>(
        'SELECT run_id, token_counts FROM messages WHERE thread_id = ? ORDER BY seq',
        [thread.id],
      ),
    );
    const counted = rows
      .filter((row) => row.run_id === null)
      .map((row) => jsonOf<Record<string, number>>(row.token_counts ?? '{}'));
    assert.equal(counted.length, 3);
    // gpt-4o-mini uses o200k; each message is its text plus 3 tokens of framing and its role.
    for (const counts of counted) {
      assert.ok(counts.o200k_base! > 4 && counts.o200k_base! < 10, JSON.stringify(counts));
    }
    // The run's own answer is counted when a later run first reads it.
    assert.equal(rows.at(-1)?.token_counts, null);
  });

  test('truncation keeps the newest messages that fit, read newest first', async () => {
    const assistant = await createAssistant(fixture, { model: 'scripted-small' });
    const long = 'word '.repeat(3500);
    const thread = await fixture.client.beta.threads.create({
      messages: [
        { role: 'user', content: `oldest ${long}` },
        { role: 'user', content: `middle ${long}` },
        { role: 'user', content: 'newest question' },
      ],
    });
    fixture.upstream.script({ text: 'ok' });
    const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      truncation_strategy: { type: 'auto' },
    });
    assert.equal(run.status, 'completed');
    const sent = upstreamMessages(fixture, chatRequests(fixture).length - 1).map((message) =>
      String(message.content).slice(0, 6),
    );
    // 8,192 tokens less 2,048 for the reply hold the middle and newest messages (3,500 tokens each), not the oldest.
    assert.deepEqual(sent, ['You ar', 'middle', 'newest']);
  });

  test('tools that alone exceed the context window fail the run with a message that says so', async () => {
    const enumValues = Array.from({ length: 6000 }, (_, index) => `value-${index}`);
    const assistant = await createAssistant(fixture, {
      model: 'scripted-small',
      tools: [
        {
          type: 'function',
          function: {
            name: 'pick',
            parameters: { type: 'object', properties: { choice: { type: 'string', enum: enumValues } } },
          },
        },
      ],
    });
    const thread = await fixture.client.beta.threads.create({ messages: [{ role: 'user', content: 'Pick one.' }] });
    const requestsBefore = chatRequests(fixture).length;
    const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.equal(run.status, 'failed');
    assert.equal(run.last_error?.code, 'server_error');
    assert.match(run.last_error?.message ?? '', /instructions and tools alone do not fit in the context window/);
    assert.equal(chatRequests(fixture).length, requestsBefore, 'the model was not called');
  });

  test('a 200,000-character message without spaces runs while the server stays responsive', async () => {
    const assistant = await createAssistant(fixture, { model: 'gpt-4o' });
    const thread = await fixture.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x'.repeat(200_000) }],
    });
    fixture.upstream.script({ text: 'That is a lot of x.' });
    const created = await fixture.client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    const completed = waitForRun(
      fixture,
      thread.id,
      created.id,
      (current) => current.status === 'completed',
      'completed',
    );
    const slowest = await slowestHealthCheck(fixture.server.url, completed);
    const run = await completed;
    assert.ok((run.usage?.prompt_tokens ?? 0) > 0);
    // The old quadratic count blocked /health for about 40 s; a generous bound for a shared 2-core machine.
    assert.ok(slowest < 1000, `GET /health took ${Math.round(slowest)} ms during the run`);
  });
});

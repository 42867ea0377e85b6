import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { ControlledResponse } from './upstream/index.js';

/**
 * Deleting a thread (or the conversation it is) takes its runs and their event logs along: a stream following one
 * of them live ends instead of waiting for events that will never come.
 */
let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

test("a response's stream ends when its conversation is deleted mid-answer", { timeout: 30_000 }, async () => {
  const conversation = await fixture.client.conversations.create();
  const upstream = new ControlledResponse();
  fixture.upstream.script({ controlled: upstream });
  const stream = await fixture.client.responses.create({
    model: 'gpt-4o-mini',
    conversation: conversation.id,
    input: 'Tell me a long story.',
    stream: true,
  });
  const types: string[] = [];
  const consumed = (async () => {
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') {
        await fixture.client.conversations.delete(conversation.id);
      }
    }
  })();
  await upstream.connected;
  upstream.text('Once upon a time');
  await consumed;
  assert.ok(types.includes('response.output_text.delta'), types.join(' '));
  assert.ok(!types.includes('response.completed'), 'the deleted response never completes');
});

test("an Assistants run's stream ends when its thread is deleted mid-answer", { timeout: 30_000 }, async () => {
  const assistant = await fixture.client.beta.assistants.create({ model: 'gpt-4o-mini' });
  const thread = await fixture.client.beta.threads.create({ messages: [{ role: 'user', content: 'A story?' }] });
  const upstream = new ControlledResponse();
  fixture.upstream.script({ controlled: upstream });
  const stream = fixture.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const events: string[] = [];
  const consumed = (async () => {
    for await (const event of stream) {
      events.push(event.event);
      if (event.event === 'thread.message.delta') await fixture.client.beta.threads.delete(thread.id);
    }
  })();
  await upstream.connected;
  upstream.text('Once upon a time');
  // The SDK's AssistantStream says so when a stream ends without a final run.
  await assert.rejects(consumed, /Final run has not been received/);
  assert.ok(events.includes('thread.message.delta'), events.join(' '));
  assert.ok(!events.includes('thread.run.completed'));
});

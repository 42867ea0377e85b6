import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { sdkClient } from './helpers/client.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { pollUntil } from './helpers/poll.js';
import { chatRequests, MODEL, rowsLeftOf, threadIds, threadOfResponse } from './helpers/responses-e2e.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { ControlledResponse } from './upstream/index.js';

/*
 * A response's life as a resource: store false (nothing kept), background (queued, polled, cancelled), delete, and
 * its input items as a cursor list.
 */

let fixture: RunFixture;
let client: OpenAI;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

async function ask(input: OpenAI.Responses.ResponseCreateParams['input'], extra: Record<string, unknown> = {}) {
  return client.responses.create({
    model: MODEL,
    input,
    ...extra,
  } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
}

/** Polls the response until it has left queued/in_progress. */
function settled(id: string): Promise<OpenAI.Responses.Response> {
  let last: OpenAI.Responses.Response | undefined;
  return pollUntil(
    async () => {
      last = await client.responses.retrieve(id);
      return last.status !== 'queued' && last.status !== 'in_progress' && last;
    },
    { what: () => `response ${id} to end; it is ${last?.status}` },
  );
}

describe('store: false', () => {
  test('the answer is returned, then nothing of it is left: not retrievable, no input items, no thread', async () => {
    const threadsBefore = await threadIds(fixture);
    fixture.upstream.script({ text: 'Not kept.' });
    const response = await ask('Hi', { store: false });
    assert.equal(response.status, 'completed');
    assert.equal((response as unknown as { store: boolean }).store, false, 'store is echoed, as OpenAI sends it');
    assert.equal(response.output_text, 'Not kept.');
    await rejectsWith(client.responses.retrieve(response.id), { status: 404, message: response.id });
    await rejectsWith(client.responses.inputItems.list(response.id), { status: 404 });
    await rejectsWith(client.responses.delete(response.id), { status: 404 });
    assert.equal(await rowsLeftOf(fixture, response.id), 0);
    assert.deepEqual(await threadIds(fixture), threadsBefore, 'its private thread is gone');
  });

  test('streamed: the stream ends with the response, then nothing is left', async () => {
    const threadsBefore = await threadIds(fixture);
    fixture.upstream.script({ text: ['Streamed ', 'not kept.'] });
    const stream = client.responses.stream({ model: MODEL, input: 'Hi', store: false });
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'Streamed not kept.');
    await pollUntil(async () => (await rowsLeftOf(fixture, final.id)) === 0, { what: 'the response rows to go' });
    assert.deepEqual(await threadIds(fixture), threadsBefore);
    await rejectsWith(client.responses.retrieve(final.id), { status: 404 });
  });

  test('in a conversation: its items stay in the conversation, the response itself goes', async () => {
    const conversation = await client.conversations.create();
    fixture.upstream.script({ text: 'Kept in the conversation.' });
    const response = await ask('Hi', { store: false, conversation: conversation.id });
    await rejectsWith(client.responses.retrieve(response.id), { status: 404 });
    const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
    assert.deepEqual(
      items.data.map((item) => (item as { role: string }).role),
      ['user', 'assistant'],
    );
    assert.equal(items.data[1]!.id, response.output[0]!.id);
    fixture.upstream.script({ text: 'I remember.' });
    await ask('And now?', { conversation: conversation.id });
    const messages = chatRequests(fixture).at(-1)!.body.messages as Array<{ role: string; content: string }>;
    assert.deepEqual(
      messages.map((message) => [message.role, message.content]),
      [
        ['user', 'Hi'],
        ['assistant', 'Kept in the conversation.'],
        ['user', 'And now?'],
      ],
      'the next response of the conversation sees them',
    );
  });

  test('background with store false is a 400', async () => {
    await rejectsWith(ask('Hi', { store: false, background: true }), { status: 400, param: 'background' });
    assert.equal(chatRequests(fixture).length, 0);
  });
});

describe('background', () => {
  test('returns at once queued, then retrieve shows it completed', async () => {
    const upstream = new ControlledResponse();
    fixture.upstream.script({ controlled: upstream });
    const response = await ask('Hi', { background: true });
    assert.equal(response.background, true);
    assert.ok(['queued', 'in_progress'].includes(response.status!), response.status);
    assert.deepEqual(response.output, []);
    assert.equal(response.usage, null);
    await upstream.connected;
    assert.equal((await client.responses.retrieve(response.id)).status, 'in_progress');
    upstream.text('Later.');
    upstream.finish('stop', { promptTokens: 3, completionTokens: 2 });
    const done = await settled(response.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.output_text, 'Later.');
    assert.equal(done.usage?.total_tokens, 5);
  });

  test('cancel stops a running background response: cancelled, the upstream call aborted', async () => {
    const upstream = new ControlledResponse();
    fixture.upstream.script({ controlled: upstream });
    const response = await ask('Tell me a long story', { background: true });
    await upstream.connected;
    upstream.text('Once upon');
    const cancelled = await client.responses.cancel(response.id);
    assert.equal(cancelled.id, response.id);
    assert.equal(cancelled.status, 'cancelled', 'the cancel answers once the response has stopped');
    const final = await settled(response.id);
    assert.equal(final.status, 'cancelled');
    await chatRequests(fixture)[0]!.done;
    assert.equal(chatRequests(fixture)[0]!.clientDisconnected, true, 'the upstream call was aborted');
    // Cancelling again gives the response as it is.
    assert.equal((await client.responses.cancel(response.id)).status, 'cancelled');
  });

  test('cancelling a response that was not created in the background is a 400', async () => {
    fixture.upstream.script({ text: 'Done.' });
    const response = await ask('Hi');
    await rejectsWith(client.responses.cancel(response.id), { status: 400, message: 'background' });
    await rejectsWith(client.responses.cancel('resp_missing'), { status: 404 });
  });
});

describe('delete', () => {
  test('deleting a background response while it runs stops it; nothing of it is left', async () => {
    const upstream = new ControlledResponse();
    fixture.upstream.script({ controlled: upstream });
    const response = await ask('A long story', { background: true });
    await upstream.connected;
    upstream.text('Once upon a time');
    const threadId = await threadOfResponse(fixture, response.id);
    await client.responses.delete(response.id);
    await rejectsWith(client.responses.retrieve(response.id), { status: 404 });
    await chatRequests(fixture)[0]!.done;
    assert.equal(chatRequests(fixture)[0]!.clientDisconnected, true, 'the upstream call was aborted');
    await pollUntil(async () => (await rowsLeftOf(fixture, response.id, threadId)) === 0, {
      what: 'the deleted response to leave nothing',
    });
    // The server goes on serving responses.
    fixture.upstream.script({ text: 'Still here.' });
    assert.equal((await ask('Hi')).output_text, 'Still here.');
  });

  test('deleting a response while a client streams it ends that stream', async () => {
    const upstream = new ControlledResponse();
    fixture.upstream.script({ controlled: upstream });
    const stream = await client.responses.create({ model: MODEL, input: 'A long story', stream: true });
    upstream.text('Once upon');
    const types: string[] = [];
    let id = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.output_text.delta') await client.responses.delete(id);
    }
    assert.deepEqual(types.slice(-3), [
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
    await rejectsWith(client.responses.retrieve(id), { status: 404 });
  });

  test('deletes the response and its private thread; retrieve is then a 404', async () => {
    fixture.upstream.script({ text: 'Soon gone.' });
    const response = await ask('Hi');
    const threadId = await threadOfResponse(fixture, response.id);
    assert.ok(threadId);
    await client.responses.delete(response.id);
    await rejectsWith(client.responses.retrieve(response.id), { status: 404, message: response.id });
    await rejectsWith(client.responses.inputItems.list(response.id), { status: 404 });
    await rejectsWith(client.responses.delete(response.id), { status: 404 });
    assert.equal(await rowsLeftOf(fixture, response.id, threadId), 0);
  });

  test('deleting a response in a conversation keeps the conversation and its items', async () => {
    const conversation = await client.conversations.create();
    fixture.upstream.script({ text: 'Stays.' });
    const response = await ask('Hi', { conversation: conversation.id });
    await client.responses.delete(response.id);
    await rejectsWith(client.responses.retrieve(response.id), { status: 404 });
    const items = await client.conversations.items.list(conversation.id);
    assert.equal(items.data.length, 2);
    assert.equal((await client.conversations.retrieve(conversation.id)).id, conversation.id);
  });
});

describe('input items', () => {
  test('newest first by default, asc on request, pages with after', async () => {
    fixture.upstream.script({ text: 'Noted.' });
    const texts = ['one', 'two', 'three', 'four', 'five'];
    const response = await ask(texts.map((text) => ({ role: 'user' as const, content: text })));
    const textOf = (item: OpenAI.Responses.ResponseItem) =>
      ((item as OpenAI.Responses.ResponseInputMessageItem).content[0] as { text: string }).text;

    const desc = await client.responses.inputItems.list(response.id);
    assert.deepEqual(desc.data.map(textOf), [...texts].reverse());
    assert.equal(desc.has_more, false);
    assert.equal(
      desc.data.every((item) => item.type === 'message' && /^msg_/.test(item.id)),
      true,
    );
    const asc = await client.responses.inputItems.list(response.id, { order: 'asc' });
    assert.deepEqual(asc.data.map(textOf), texts);

    const first = await client.responses.inputItems.list(response.id, { order: 'asc', limit: 2 });
    assert.deepEqual(first.data.map(textOf), ['one', 'two']);
    assert.equal(first.has_more, true);
    const second = await client.responses.inputItems.list(response.id, {
      order: 'asc',
      limit: 2,
      after: first.data[1]!.id,
    });
    assert.deepEqual(second.data.map(textOf), ['three', 'four']);
    const walked: string[] = [];
    for await (const item of client.responses.inputItems.list(response.id, { limit: 2 })) walked.push(textOf(item));
    assert.deepEqual(walked, [...texts].reverse(), 'the SDK pages through all of them');
    assert.equal(
      desc.data.some((item) => textOf(item) === 'Noted.'),
      false,
      'the output is not an input item',
    );
  });

  test('include shows file_search results of an input item; without it they are null', async () => {
    fixture.upstream.script({ text: 'Thanks.' });
    const results = [{ file_id: 'file-abc', filename: 'notes.txt', score: 0.9, text: 'Paris.', attributes: {} }];
    const response = await ask([
      { type: 'file_search_call', id: 'fs_given', status: 'completed', queries: ['capital'], results },
      { role: 'user', content: 'Summarise.' },
    ]);
    const plain = await client.responses.inputItems.list(response.id, { order: 'asc' });
    const search = plain.data[0] as OpenAI.Responses.ResponseFileSearchToolCall;
    assert.equal(search.type, 'file_search_call');
    assert.deepEqual(search.queries, ['capital']);
    assert.equal(search.results, null);
    const included = await client.responses.inputItems.list(response.id, {
      order: 'asc',
      include: ['file_search_call.results'],
    });
    assert.deepEqual((included.data[0] as OpenAI.Responses.ResponseFileSearchToolCall).results, results);
  });

  test('bad list parameters are 400s', async () => {
    fixture.upstream.script({ text: 'Ok.' });
    const response = await ask('Hi');
    await rejectsWith(client.responses.inputItems.list(response.id, { limit: 0 }), { status: 400, param: 'limit' });
    await rejectsWith(
      client.responses.inputItems.list(response.id, { include: ['nonsense' as OpenAI.Responses.ResponseIncludable] }),
      { status: 400, param: 'include' },
    );
    await rejectsWith(client.responses.inputItems.list('resp_missing'), { status: 404 });
  });
});

describe('projects', () => {
  test("another project's responses, conversations and vector stores are not found", async () => {
    const own = await startRunFixture({
      env: { EMBEDDING_MODEL: 'none', API_KEYS: 'key-alice=project-a, key-bob=project-b' },
    });
    try {
      const alice = sdkClient(own.server, 'key-alice');
      const bob = sdkClient(own.server, 'key-bob');
      own.upstream.script({ text: "Alice's answer." });
      const response = await alice.responses.create({ model: MODEL, input: 'Hi' });
      const conversation = await alice.conversations.create();
      const store = await alice.vectorStores.create({ name: 'alice' });

      await rejectsWith(bob.responses.retrieve(response.id), { status: 404 });
      await rejectsWith(bob.responses.inputItems.list(response.id), { status: 404 });
      await rejectsWith(bob.responses.cancel(response.id), { status: 404 });
      await rejectsWith(bob.responses.delete(response.id), { status: 404 });
      await rejectsWith(bob.responses.retrieve(response.id, { stream: true }), { status: 404 });
      await rejectsWith(bob.responses.create({ model: MODEL, input: 'Hi', previous_response_id: response.id }), {
        status: 400,
        param: 'previous_response_id',
      });
      await rejectsWith(bob.responses.create({ model: MODEL, input: 'Hi', conversation: conversation.id }), {
        status: 404,
      });
      await rejectsWith(
        bob.responses.create({
          model: MODEL,
          input: 'Hi',
          tools: [{ type: 'file_search', vector_store_ids: [store.id] }],
        }),
        { status: 404 },
      );
      const answerId = (response.output[0] as OpenAI.Responses.ResponseOutputMessage).id;
      await rejectsWith(bob.responses.create({ model: MODEL, input: [{ type: 'item_reference', id: answerId }] }), {
        status: 400,
        message: answerId,
      });
      assert.equal(chatRequests(own).length, 1, "only Alice's response reached the model");
      assert.equal((await alice.responses.retrieve(response.id)).output_text, "Alice's answer.");
    } finally {
      await own.close();
    }
  });
});

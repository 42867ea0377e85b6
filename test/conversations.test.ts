import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { strictResponsesProblems } from './helpers/strict-contract.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let client: OpenAI;
let other: OpenAI;

before(async () => {
  server = await startTestServer({ env: { API_KEYS: 'key-a=project-a, key-b=project-b' } });
  client = sdkClient(server, 'key-a');
  other = sdkClient(server, 'key-b');
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

/** An item read field by field (the SDK's union has variants without some fields). */
type Item = Record<string, unknown> & { id: string; type: string };

async function allItems(id: string, query: OpenAI.Conversations.ItemListParams = {}): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of client.conversations.items.list(id, query)) {
    // Every field of every item, at any depth, is one the contract declares.
    assert.deepEqual(strictResponsesProblems('ConversationItem', item), []);
    items.push(item as unknown as Item);
  }
  return items;
}

async function allMessages(threadId: string) {
  const messages: OpenAI.Beta.Threads.Message[] = [];
  for await (const message of client.beta.threads.messages.list(threadId, { order: 'asc' })) messages.push(message);
  return messages;
}

async function rejectsWith(
  promise: Promise<unknown>,
  status: number,
  expected: { param?: string | null; message?: RegExp },
) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OpenAI.APIError, String(error));
    assert.equal(error.status, status, error.message);
    if (expected.param !== undefined) assert.equal(error.param, expected.param, error.message);
    if (expected.message) assert.match(error.message, expected.message);
    return true;
  });
}

describe('conversations', () => {
  test('create, retrieve, update metadata and delete', async () => {
    const created = await client.conversations.create({ metadata: { topic: 'cats' } });
    assert.match(created.id, /^conv_[A-Za-z0-9]{24}$/);
    assert.equal(created.object, 'conversation');
    assert.deepEqual(created.metadata, { topic: 'cats' });
    assert.ok(Math.abs(created.created_at - Date.now() / 1000) < 60);
    assert.deepEqual(await client.conversations.retrieve(created.id), created);

    const updated = await client.conversations.update(created.id, { metadata: { mood: 'happy' } });
    assert.deepEqual(updated, { ...created, metadata: { mood: 'happy' } });
    assert.deepEqual((await client.conversations.retrieve(created.id)).metadata, { mood: 'happy' });

    const deleted = await client.conversations.delete(created.id);
    assert.deepEqual(deleted, { id: created.id, object: 'conversation.deleted', deleted: true });
    await rejectsWith(client.conversations.retrieve(created.id), 404, {
      message: new RegExp(`Conversation with id '${created.id}' not found\\.`),
    });
    await rejectsWith(client.conversations.delete(created.id), 404, {});
  });

  test('create with no arguments gives an empty conversation', async () => {
    const created = await client.conversations.create();
    assert.deepEqual(created.metadata, {});
    assert.deepEqual(await allItems(created.id), []);
  });

  test('initial items of every kind are stored in order and shown as items', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from('png'), 'cat.png'), purpose: 'vision' });
    const conversation = await client.conversations.create({
      items: [
        { role: 'developer', content: 'Answer briefly.' },
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'You are terse.' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in these?' },
            { type: 'input_image', file_id: file.id, detail: 'low' },
            { type: 'input_image', image_url: 'https://example.com/dog.png', detail: 'auto' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_fromelsewhere',
          status: 'completed',
          content: [
            { type: 'output_text', text: 'A cat and a dog.', annotations: [], logprobs: [] },
            { type: 'refusal', refusal: 'No more.' },
          ],
        },
        { type: 'reasoning', id: 'rs_given', summary: [{ type: 'summary_text', text: 'thinking' }] },
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
        {
          type: 'file_search_call',
          id: 'fs_given',
          status: 'completed',
          queries: ['cats'],
          results: [{ file_id: file.id, filename: 'cat.png', score: 0.5, text: 'meow', attributes: {} }],
        },
        {
          type: 'code_interpreter_call',
          id: 'ci_given',
          status: 'completed',
          code: 'print(1)',
          container_id: 'cntr_x',
          outputs: [{ type: 'logs', logs: '1' }],
        },
      ],
    });
    const items = await allItems(conversation.id, { order: 'asc' });
    assert.deepEqual(
      items.map((item) => [item.type, 'role' in item ? item.role : null]),
      [
        ['message', 'developer'],
        ['message', 'system'],
        ['message', 'user'],
        ['message', 'assistant'],
        ['reasoning', null],
        ['function_call', null],
        ['function_call_output', null],
        ['file_search_call', null],
        ['code_interpreter_call', null],
      ],
    );
    const prefixes = ['msg_', 'msg_', 'msg_', 'msg_', 'rs_', 'fc_', 'fco_', 'fs_', 'ci_'];
    for (const [index, item] of items.entries()) assert.ok(item.id.startsWith(prefixes[index]!), item.id);
    assert.equal(new Set(items.map((item) => item.id)).size, items.length);
    assert.ok(!items.some((item) => ['msg_fromelsewhere', 'rs_given', 'fs_given', 'ci_given'].includes(item.id)));

    const [developer, system, user, assistant, reasoning, call, output, search, code] = items;
    assert.deepEqual(developer!.content, [{ type: 'input_text', text: 'Answer briefly.' }]);
    assert.deepEqual(system!.content, [{ type: 'input_text', text: 'You are terse.' }]);
    assert.deepEqual(user!.content, [
      { type: 'input_text', text: 'What is in these?' },
      { type: 'input_image', file_id: file.id, image_url: null, detail: 'low' },
      { type: 'input_image', file_id: null, image_url: 'https://example.com/dog.png', detail: 'auto' },
    ]);
    assert.deepEqual(assistant!.content, [
      { type: 'output_text', text: 'A cat and a dog.', annotations: [], logprobs: [] },
      { type: 'refusal', refusal: 'No more.' },
    ]);
    assert.deepEqual(reasoning!.summary, [{ type: 'summary_text', text: 'thinking' }]);
    assert.deepEqual(
      { call_id: call!.call_id, name: call!.name, arguments: call!.arguments, status: call!.status },
      { call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}', status: 'completed' },
    );
    assert.deepEqual([output!.call_id, output!.output], ['call_1', '{"temp":21}']);
    assert.deepEqual([search!.queries, search!.results], [['cats'], null]);
    assert.deepEqual([code!.code, code!.container_id, code!.outputs], ['print(1)', 'cntr_x', null]);

    const included = await allItems(conversation.id, {
      order: 'asc',
      include: ['file_search_call.results', 'code_interpreter_call.outputs'],
    });
    assert.deepEqual((included[7] as Record<string, unknown>).results, [
      { file_id: file.id, filename: 'cat.png', score: 0.5, text: 'meow', attributes: {} },
    ]);
    assert.deepEqual((included[8] as Record<string, unknown>).outputs, [{ type: 'logs', logs: '1' }]);
    const one = await client.conversations.items.retrieve(search!.id as string, {
      conversation_id: conversation.id,
      include: ['file_search_call.results'],
    });
    assert.deepEqual((one as unknown as Item).results, (included[7] as Record<string, unknown>).results);
  });

  test('items create, retrieve and delete', async () => {
    const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'first' }] });
    const added = await client.conversations.items.create(conversation.id, {
      items: [
        { role: 'assistant', content: 'second' },
        { type: 'function_call_output', call_id: 'call_9', output: [{ type: 'input_text', text: 'done' }] },
      ],
    });
    assert.equal(added.object, 'list');
    assert.equal(added.has_more, false);
    const [second, output] = added.data as unknown as Item[];
    assert.equal(added.data.length, 2);
    assert.equal(added.first_id, second!.id);
    assert.equal(added.last_id, output!.id);
    assert.deepEqual(second!.content, [{ type: 'output_text', text: 'second', annotations: [], logprobs: [] }]);
    assert.deepEqual(output!.output, [{ type: 'input_text', text: 'done' }]);

    const listed = await allItems(conversation.id);
    assert.deepEqual(
      listed.map((item) => item.id),
      [output!.id, second!.id, listed[2]!.id],
    );
    assert.deepEqual(
      await client.conversations.items.retrieve(second!.id, { conversation_id: conversation.id }),
      second,
    );

    const afterDelete = await client.conversations.items.delete(second!.id, {
      conversation_id: conversation.id,
    });
    assert.deepEqual(afterDelete, conversation);
    await rejectsWith(client.conversations.items.retrieve(second!.id, { conversation_id: conversation.id }), 404, {
      message: new RegExp(`Item with id '${second!.id}' not found\\.`),
    });
    await rejectsWith(client.conversations.items.delete(second!.id, { conversation_id: conversation.id }), 404, {});
    assert.equal((await allItems(conversation.id)).length, 2);
  });

  test('an item reference copies the item it names, with a new id', async () => {
    const conversation = await client.conversations.create({
      items: [
        { type: 'function_call', call_id: 'call_r', name: 'lookup', arguments: '{}' },
        { role: 'user', content: 'say it again' },
      ],
    });
    const [original, message] = await allItems(conversation.id, { order: 'asc' });
    const added = await client.conversations.items.create(conversation.id, {
      items: [
        { type: 'item_reference', id: original!.id },
        { id: message!.id } as OpenAI.Responses.ResponseInputItem.ItemReference,
      ],
    });
    const [copy, messageCopy] = added.data as unknown as Item[];
    assert.notEqual(copy!.id, original!.id);
    assert.match(copy!.id, /^fc_/);
    assert.deepEqual({ ...copy, id: original!.id }, original);
    // A copied message is a message of this thread, which the Assistants API sees.
    assert.notEqual(messageCopy!.id, message!.id);
    assert.deepEqual({ ...messageCopy, id: message!.id }, message);
    const texts = (await allMessages(conversation.id)).map((entry) => [entry.id, entry.content]);
    assert.deepEqual(
      texts.slice(-2).map(([, content]) => content),
      [
        [{ type: 'text', text: { value: 'say it again', annotations: [] } }],
        [{ type: 'text', text: { value: 'say it again', annotations: [] } }],
      ],
    );
    assert.equal(texts.at(-1)![0], messageCopy!.id);
    await rejectsWith(
      client.conversations.items.create(conversation.id, { items: [{ type: 'item_reference', id: 'fc_nothing' }] }),
      400,
      { param: 'items[0].id', message: /Item with id 'fc_nothing' not found/ },
    );
  });

  test('pagination walks both directions with after cursors', async () => {
    const conversation = await client.conversations.create({
      items: Array.from({ length: 20 }, (_, index) => ({ role: 'user' as const, content: `m${index}` })),
    });
    await client.conversations.items.create(conversation.id, {
      items: Array.from({ length: 5 }, (_, index) => ({ role: 'user' as const, content: `m${20 + index}` })),
    });
    const text = (item: unknown) => (item as { content: Array<{ text: string }> }).content[0]!.text;
    const expected = Array.from({ length: 25 }, (_, index) => `m${index}`);
    assert.deepEqual((await allItems(conversation.id, { order: 'asc', limit: 7 })).map(text), expected);
    assert.deepEqual((await allItems(conversation.id, { limit: 4 })).map(text), [...expected].reverse());
    assert.deepEqual((await allItems(conversation.id)).length, 25);

    const firstPage = await client.conversations.items.list(conversation.id, { order: 'asc', limit: 10 });
    assert.equal(firstPage.has_more, true);
    assert.equal(firstPage.last_id, firstPage.data[9]!.id);
    const secondPage = await client.conversations.items.list(conversation.id, {
      order: 'asc',
      limit: 10,
      after: firstPage.last_id,
    });
    assert.deepEqual(secondPage.data.map(text), expected.slice(10, 20));
    const lastPage = await client.conversations.items.list(conversation.id, {
      order: 'desc',
      limit: 100,
      after: secondPage.data[0]!.id,
    });
    assert.deepEqual(lastPage.data.map(text), expected.slice(0, 10).reverse());
    assert.equal(lastPage.has_more, false);
  });
});

describe('threads are conversations (beyond OpenAI)', () => {
  test('an Assistants thread reads as a conversation, its messages as items', async () => {
    const thread = await client.beta.threads.create({
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hi there' },
      ],
      metadata: { app: 'legacy' },
    });
    const conversation = await client.conversations.retrieve(thread.id);
    assert.deepEqual(conversation, {
      id: thread.id,
      object: 'conversation',
      created_at: thread.created_at,
      metadata: { app: 'legacy' },
    });
    const messages = await allMessages(thread.id);
    const items = await allItems(thread.id, { order: 'asc' });
    assert.deepEqual(
      items.map((item) => ({ id: item.id, role: item.role })),
      messages.map((message) => ({ id: message.id, role: message.role })),
    );
    assert.deepEqual((items[0] as Record<string, unknown>).content, [{ type: 'input_text', text: 'hello' }]);
    assert.deepEqual((items[1] as Record<string, unknown>).content, [
      { type: 'output_text', text: 'hi there', annotations: [], logprobs: [] },
    ]);
    assert.deepEqual(
      await client.conversations.items.retrieve(messages[1]!.id, { conversation_id: thread.id }),
      items[1],
    );
  });

  test('items added to a thread as a conversation: messages show in the Assistants API, other items do not', async () => {
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'one' }] });
    const added = await client.conversations.items.create(thread.id, {
      items: [
        { role: 'developer', content: 'be kind' },
        { role: 'assistant', content: 'two' },
        { type: 'function_call', call_id: 'call_t', name: 'f', arguments: '{}' },
        {
          role: 'user',
          content: [{ type: 'input_image', image_url: 'https://example.com/x.png', detail: undefined as never }],
        },
      ],
    });
    const messages = await allMessages(thread.id);
    assert.deepEqual(
      messages.map((message) => [message.role, message.content[0]!.type]),
      [
        ['user', 'text'],
        ['assistant', 'text'],
        ['user', 'image_url'],
      ],
    );
    assert.equal(messages[1]!.id, added.data[1]!.id);
    assert.equal(messages[1]!.thread_id, thread.id);
    assert.deepEqual(messages[2]!.content, [
      { type: 'image_url', image_url: { url: 'https://example.com/x.png', detail: 'auto' } },
    ]);
    assert.equal((await allItems(thread.id)).length, 5);

    // A conversation's messages are thread messages too, under its conv_ id.
    const conversation = await client.conversations.create({
      items: [
        { role: 'system', content: 'hidden from Assistants' },
        { role: 'user', content: 'visible' },
      ],
    });
    assert.equal((await client.beta.threads.retrieve(conversation.id)).id, conversation.id);
    const conversationMessages = await allMessages(conversation.id);
    assert.deepEqual(
      conversationMessages.map((message) => [message.role, message.content]),
      [['user', [{ type: 'text', text: { value: 'visible', annotations: [] } }]]],
    );
  });

  test('updating and deleting through the Conversations API acts on the thread', async () => {
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'bye' }] });
    await client.conversations.update(thread.id, { metadata: { moved: 'yes' } });
    assert.deepEqual((await client.beta.threads.retrieve(thread.id)).metadata, { moved: 'yes' });
    const deleted = await client.conversations.delete(thread.id);
    assert.deepEqual(deleted, { id: thread.id, object: 'conversation.deleted', deleted: true });
    await rejectsWith(client.beta.threads.retrieve(thread.id), 404, {});
    await rejectsWith(client.conversations.items.list(thread.id), 404, {
      message: new RegExp(`Conversation with id '${thread.id}' not found\\.`),
    });
  });
});

describe('conversation tenancy', () => {
  test("another project's conversation and its items are not found", async () => {
    const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'private' }] });
    const [item] = await allItems(conversation.id);
    const notFound = { message: new RegExp(`Conversation with id '${conversation.id}' not found`) };
    await rejectsWith(other.conversations.retrieve(conversation.id), 404, notFound);
    await rejectsWith(other.conversations.update(conversation.id, { metadata: { a: 'b' } }), 404, notFound);
    await rejectsWith(other.conversations.delete(conversation.id), 404, notFound);
    await rejectsWith(other.conversations.items.list(conversation.id), 404, notFound);
    await rejectsWith(
      other.conversations.items.create(conversation.id, { items: [{ role: 'user', content: 'x' }] }),
      404,
      notFound,
    );
    await rejectsWith(
      other.conversations.items.retrieve(item!.id, { conversation_id: conversation.id }),
      404,
      notFound,
    );
    await rejectsWith(other.conversations.items.delete(item!.id, { conversation_id: conversation.id }), 404, notFound);

    // Nor can another project reference its items or attach its files.
    const mine = await other.conversations.create();
    await rejectsWith(
      other.conversations.items.create(mine.id, { items: [{ type: 'item_reference', id: item!.id }] }),
      400,
      { param: 'items[0].id' },
    );
    const file = await client.files.create({ file: await toFile(Buffer.from('png'), 'a.png'), purpose: 'vision' });
    await rejectsWith(
      other.conversations.items.create(mine.id, {
        items: [{ role: 'user', content: [{ type: 'input_image', file_id: file.id, detail: 'auto' }] }],
      }),
      404,
      { param: 'items[0].content[0].file_id' },
    );
    assert.deepEqual((await client.conversations.retrieve(conversation.id)).metadata, {});
    assert.equal((await allItems(conversation.id)).length, 1);
  });
});

describe('conversation request errors', () => {
  let id: string;
  before(async () => {
    id = (await client.conversations.create()).id;
  });

  const badItems: Array<[string, unknown, string, RegExp]> = [
    ['an unknown item type', { type: 'bogus' }, 'items[0].type', /'bogus' are not supported.*'message'/],
    [
      'an item type not served',
      { type: 'computer_call_output', call_id: 'c', output: {} },
      'items[0].type',
      /computer_call_output/,
    ],
    [
      'a content part not served',
      { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] },
      'items[0].content[0].type',
      /Content parts of type 'input_audio' are not supported.*'input_file'/,
    ],
    ['an unknown role', { role: 'tool', content: 'x' }, 'items[0].role', /Invalid value: 'tool'/],
    ['empty content', { role: 'user', content: [] }, 'items[0].content', /array too short/],
    [
      'an output part in a user message',
      { role: 'user', content: [{ type: 'output_text', text: 'x' }] },
      'items[0].content[0].type',
      /Invalid value: 'output_text'/,
    ],
    [
      'an image without a source',
      { role: 'user', content: [{ type: 'input_image', detail: 'auto' }] },
      'items[0].content[0].image_url',
      /Missing required parameter/,
    ],
    [
      'a function call without call_id',
      { type: 'function_call', name: 'f', arguments: '{}' },
      'items[0].call_id',
      /Missing required parameter/,
    ],
    [
      'a function call output of the wrong type',
      { type: 'function_call_output', call_id: 'c', output: 5 },
      'items[0].output',
      /Invalid/,
    ],
    ['a reference without an id', { type: 'item_reference' }, 'items[0].id', /Missing required parameter/],
  ];
  for (const [name, item, param, message] of badItems) {
    test(`items create refuses ${name}`, async () => {
      await rejectsWith(
        client.conversations.items.create(id, { items: [item as OpenAI.Responses.ResponseInputItem] }),
        400,
        { param, message },
      );
      await rejectsWith(
        client.conversations.create({
          items: [{ role: 'user', content: 'ok' }, item as OpenAI.Responses.ResponseInputItem],
        }),
        400,
        { param: param.replace('items[0]', 'items[1]') },
      );
    });
  }

  test('nothing is stored from a refused request', async () => {
    await rejectsWith(
      client.conversations.items.create(id, { items: [{ role: 'user', content: 'fine' }, { type: 'bogus' } as never] }),
      400,
      {},
    );
    assert.deepEqual(await allItems(id), []);
  });

  test('more than 20 items at once', async () => {
    const items = Array.from({ length: 21 }, () => ({ role: 'user' as const, content: 'x' }));
    await rejectsWith(client.conversations.items.create(id, { items }), 400, {
      param: 'items',
      message: /maximum length 20, but got an array with length 21/,
    });
    await rejectsWith(client.conversations.create({ items }), 400, { param: 'items' });
  });

  test('metadata over the limits', async () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
    await rejectsWith(client.conversations.create({ metadata: many }), 400, { param: 'metadata' });
    await rejectsWith(client.conversations.update(id, { metadata: { ['k'.repeat(65)]: 'v' } }), 400, {
      param: 'metadata',
    });
    await rejectsWith(client.conversations.update(id, { metadata: { k: 'v'.repeat(513) } }), 400, {
      param: 'metadata.k',
    });
  });

  test('unknown ids, bad cursors and bad list parameters', async () => {
    await rejectsWith(client.conversations.retrieve('conv_nothing'), 404, {
      message: /Conversation with id 'conv_nothing' not found\./,
    });
    await rejectsWith(client.conversations.items.list('thread_nothing'), 404, {});
    await rejectsWith(client.conversations.items.retrieve('msg_nothing', { conversation_id: id }), 404, {
      message: /Item with id 'msg_nothing' not found\./,
    });
    await rejectsWith(client.conversations.items.list(id, { after: 'msg_nothing' }), 400, { param: 'after' });
    await rejectsWith(client.conversations.items.list(id, { limit: 101 }), 400, { param: 'limit' });
    await rejectsWith(client.conversations.items.list(id, { limit: 0 }), 400, { param: 'limit' });
    await rejectsWith(client.conversations.items.list(id, { order: 'up' as 'asc' }), 400, { param: 'order' });
    await rejectsWith(client.conversations.items.list(id, { include: ['bogus' as 'file_search_call.results'] }), 400, {
      param: 'include',
    });
    await rejectsWith(
      client.conversations.items.create(id, {
        items: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-nothing', detail: 'auto' }] }],
      }),
      404,
      { param: 'items[0].content[0].file_id' },
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sdkClient } from './helpers/client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let client: OpenAI;

before(async () => {
  server = await startTestServer();
  client = sdkClient(server);
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

async function allMessages(threadId: string, query: OpenAI.Beta.Threads.MessageListParams = {}) {
  const messages: OpenAI.Beta.Threads.Message[] = [];
  for await (const message of client.beta.threads.messages.list(threadId, query)) messages.push(message);
  return messages;
}

describe('threads', () => {
  test('create with no arguments gives an empty thread', async () => {
    const thread = await client.beta.threads.create();
    assert.match(thread.id, /^thread_[A-Za-z0-9]{24}$/);
    assert.equal(thread.object, 'thread');
    assert.deepEqual(thread.metadata, {});
    assert.deepEqual(thread.tool_resources, {});
    assert.deepEqual(await allMessages(thread.id), []);
  });

  test('create with initial messages stores them in order', async () => {
    const thread = await client.beta.threads.create({
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'text', text: 'second' }] },
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
          metadata: { n: '3' },
        },
      ],
      metadata: { topic: 'cats' },
    });
    assert.deepEqual(thread.metadata, { topic: 'cats' });
    const messages = await allMessages(thread.id, { order: 'asc' });
    assert.deepEqual(
      messages.map((message) => [message.role, message.content[0]?.type]),
      [
        ['user', 'text'],
        ['assistant', 'text'],
        ['user', 'image_url'],
      ],
    );
    assert.deepEqual(messages[0]!.content, [{ type: 'text', text: { value: 'first', annotations: [] } }]);
    assert.deepEqual(messages[2]!.content, [
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'auto' } },
    ]);
    assert.deepEqual(messages[2]!.metadata, { n: '3' });
    for (const message of messages) {
      assert.equal(message.thread_id, thread.id);
      assert.equal(message.status, 'completed');
      assert.equal(message.run_id, null);
      assert.equal(message.assistant_id, null);
    }
  });

  test('a bad initial message rejects the whole thread and names the message', async () => {
    await assert.rejects(
      client.beta.threads.create({
        messages: [
          { role: 'user', content: 'ok' },
          { role: 'system' as 'user', content: 'no' },
        ],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.param, 'messages[1].role');
        assert.match(error.message, /Invalid value: 'system'. Supported values are: 'user' and 'assistant'/);
        return true;
      },
    );
  });

  test('modify replaces metadata and tool resources; delete removes the thread and its messages', async () => {
    const file = await client.files.create({
      file: await OpenAI.toFile(Buffer.from('x'), 'x.txt'),
      purpose: 'assistants',
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'hi' }],
      metadata: { a: '1' },
    });
    const modified = await client.beta.threads.update(thread.id, {
      metadata: { b: '2' },
      tool_resources: { code_interpreter: { file_ids: [file.id] } },
    });
    assert.deepEqual(modified.metadata, { b: '2' });
    assert.deepEqual(modified.tool_resources, { code_interpreter: { file_ids: [file.id] } });
    assert.deepEqual(await client.beta.threads.retrieve(thread.id), modified);

    const [message] = await allMessages(thread.id);
    assert.deepEqual(await client.beta.threads.delete(thread.id), {
      id: thread.id,
      object: 'thread.deleted',
      deleted: true,
    });
    await assert.rejects(client.beta.threads.retrieve(thread.id), OpenAI.NotFoundError);
    await assert.rejects(
      client.beta.threads.messages.retrieve(message!.id, { thread_id: thread.id }),
      OpenAI.NotFoundError,
    );
    await assert.rejects(client.beta.threads.messages.list(thread.id), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal(error.message, `404 No thread found with id '${thread.id}'.`);
      return true;
    });
  });
});

describe('messages', () => {
  test('create, retrieve, modify and delete a message', async () => {
    const thread = await client.beta.threads.create();
    const message = await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'Hello',
      metadata: { k: 'v' },
    });
    assert.match(message.id, /^msg_[A-Za-z0-9]{24}$/);
    assert.equal(message.object, 'thread.message');
    assert.deepEqual(message.attachments, []);
    assert.deepEqual(await client.beta.threads.messages.retrieve(message.id, { thread_id: thread.id }), message);

    const modified = await client.beta.threads.messages.update(message.id, {
      thread_id: thread.id,
      metadata: { k: 'w' },
    });
    assert.deepEqual(modified.metadata, { k: 'w' });
    assert.deepEqual(modified.content, message.content);

    assert.deepEqual(await client.beta.threads.messages.delete(message.id, { thread_id: thread.id }), {
      id: message.id,
      object: 'thread.message.deleted',
      deleted: true,
    });
    await assert.rejects(
      client.beta.threads.messages.retrieve(message.id, { thread_id: thread.id }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError);
        assert.equal(error.message, `404 No message found with id '${message.id}'.`);
        return true;
      },
    );
  });

  test('a message of one thread is not found through another thread', async () => {
    const [a, b] = await Promise.all([client.beta.threads.create(), client.beta.threads.create()]);
    const message = await client.beta.threads.messages.create(a.id, { role: 'user', content: 'in a' });
    await assert.rejects(client.beta.threads.messages.retrieve(message.id, { thread_id: b.id }), OpenAI.NotFoundError);
    await assert.rejects(client.beta.threads.messages.delete(message.id, { thread_id: b.id }), OpenAI.NotFoundError);
  });

  test('content parts, image files and attachments are stored and returned', async () => {
    const image = await client.files.create({
      file: await OpenAI.toFile(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'cat.png'),
      purpose: 'vision',
    });
    const doc = await client.files.create({
      file: await OpenAI.toFile(Buffer.from('notes'), 'notes.txt'),
      purpose: 'assistants',
    });
    const thread = await client.beta.threads.create();
    const message = await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: [
        { type: 'text', text: 'Look' },
        { type: 'image_file', image_file: { file_id: image.id, detail: 'high' } },
      ],
      attachments: [{ file_id: doc.id, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] }],
    });
    assert.deepEqual(message.content, [
      { type: 'text', text: { value: 'Look', annotations: [] } },
      { type: 'image_file', image_file: { file_id: image.id, detail: 'high' } },
    ]);
    assert.deepEqual(message.attachments, [
      { file_id: doc.id, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] },
    ]);
  });

  test('unknown files in image parts or attachments are rejected', async () => {
    const thread = await client.beta.threads.create();
    await assert.rejects(
      client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: [{ type: 'image_file', image_file: { file_id: 'file-missing' } }],
      }),
      (error: unknown) => error instanceof OpenAI.NotFoundError && error.param === 'content',
    );
    await assert.rejects(
      client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: 'x',
        attachments: [{ file_id: 'file-missing', tools: [] }],
      }),
      (error: unknown) => error instanceof OpenAI.NotFoundError && error.param === 'attachments',
    );
  });

  const invalid: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a missing role', { content: 'x' }, 'role', /Missing required parameter: 'role'/],
    ['a missing content', { role: 'user' }, 'content', /Missing required parameter: 'content'/],
    ['an empty content array', { role: 'user', content: [] }, 'content', /array too short/],
    [
      'content that is a number',
      { role: 'user', content: 7 },
      'content',
      /Invalid type for 'content': expected a string or an array, but got an integer/,
    ],
    [
      'an unknown content part type',
      { role: 'user', content: [{ type: 'video', video: {} }] },
      'content[0].type',
      /Invalid value: 'video'/,
    ],
    [
      'an image_url that is not a URL',
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'not a url' } }] },
      'content[0].image_url.url',
      /Invalid/,
    ],
    [
      'an attachment without file_id',
      { role: 'user', content: 'x', attachments: [{ tools: [] }] },
      'attachments[0].file_id',
      /Missing required parameter/,
    ],
    [
      'an attachment tool that is a function',
      { role: 'user', content: 'x', attachments: [{ file_id: 'file-x', tools: [{ type: 'function' }] }] },
      'attachments[0].tools[0].type',
      /Invalid value: 'function'/,
    ],
    [
      '17 metadata pairs',
      {
        role: 'user',
        content: 'x',
        metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])),
      },
      'metadata',
      /at most 16 properties/,
    ],
  ];
  for (const [name, body, param, message] of invalid) {
    test(`rejects ${name} with a 400 naming '${param}'`, async () => {
      const thread = await client.beta.threads.create();
      await assert.rejects(client.beta.threads.messages.create(thread.id, body as never), (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, param);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

describe('the messages-per-thread limit', () => {
  test('a thread refuses messages beyond the limit, counting initial messages', async () => {
    const limited = await startTestServer({ env: { MAX_MESSAGES_PER_THREAD: '3' } });
    try {
      const limitedClient = sdkClient(limited);
      await assert.rejects(
        limitedClient.beta.threads.create({
          messages: Array.from({ length: 4 }, () => ({ role: 'user' as const, content: 'x' })),
        }),
        (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'messages',
      );
      const thread = await limitedClient.beta.threads.create({
        messages: [
          { role: 'user', content: '1' },
          { role: 'user', content: '2' },
        ],
      });
      await limitedClient.beta.threads.messages.create(thread.id, { role: 'user', content: '3' });
      await assert.rejects(
        limitedClient.beta.threads.messages.create(thread.id, { role: 'user', content: '4' }),
        (error: unknown) => {
          assert.ok(error instanceof OpenAI.BadRequestError);
          assert.equal(error.param, 'thread_id');
          assert.match(error.message, /maximum of 3 messages/);
          return true;
        },
      );
    } finally {
      await limited.stop();
      removeDataDir(limited);
    }
  });
});

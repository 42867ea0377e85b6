import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

/** Small enough to reach with additional_messages, above the 32 messages a thread may be created with. */
const MESSAGES_PER_THREAD = 40;

let fixture: RunFixture;
let client: OpenAI;
let assistantId: string;

before(async () => {
  fixture = await startRunFixture({ env: { MAX_MESSAGES_PER_THREAD: String(MESSAGES_PER_THREAD) } });
  fixture.upstream.respond({ text: 'ok' });
  client = fixture.client;
  assistantId = (await client.beta.assistants.create({ model: 'gpt-4o' })).id;
});

after(async () => {
  await fixture.close();
});

/** Asserts the call fails with a 400 naming `param`, with a message matching `message`. */
async function rejects400(call: Promise<unknown>, param: string, message: RegExp): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof OpenAI.BadRequestError, String(error));
    assert.equal(error.param, param);
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.message, message);
    return true;
  });
}

const userMessages = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ role: 'user' as const, content: `m${index}` }));

const tooLong = (max: number, length: number) =>
  new RegExp(`string too long. Expected a string with maximum length ${max}, but got a string with length ${length}`);

describe('run instructions are limited to 256,000 characters, like an assistant’s', () => {
  test('instructions and additional_instructions over the limit are refused when creating a run', async () => {
    const thread = await client.beta.threads.create();
    const over = 'i'.repeat(256_001);
    await rejects400(
      client.beta.threads.runs.create(thread.id, { assistant_id: assistantId, instructions: over }),
      'instructions',
      tooLong(256_000, 256_001),
    );
    await rejects400(
      client.beta.threads.runs.create(thread.id, { assistant_id: assistantId, additional_instructions: over }),
      'additional_instructions',
      tooLong(256_000, 256_001),
    );
    assert.equal((await client.beta.threads.runs.list(thread.id)).data.length, 0);
  });

  test('instructions over the limit are refused by create-thread-and-run', async () => {
    await rejects400(
      client.beta.threads.createAndRun({ assistant_id: assistantId, instructions: 'i'.repeat(256_001) }),
      'instructions',
      tooLong(256_000, 256_001),
    );
  });

  test('exactly 256,000 characters of each are accepted', async () => {
    // Accepted is all this checks: whether that many tokens fit the model's context is the run's business.
    const thread = await client.beta.threads.create();
    const full = 'i'.repeat(256_000);
    const run = await client.beta.threads.runs.create(thread.id, {
      assistant_id: assistantId,
      instructions: full,
      additional_instructions: full,
    });
    assert.ok(run.instructions.startsWith(full));
    const both = await client.beta.threads.createAndRun({ assistant_id: assistantId, instructions: full });
    assert.equal(both.instructions, full);
  });
});

describe('message text is limited to 256,000 characters', () => {
  test('string content and text parts over the limit are refused, naming the field', async () => {
    const thread = await client.beta.threads.create();
    const over = 'x'.repeat(256_001);
    await rejects400(
      client.beta.threads.messages.create(thread.id, { role: 'user', content: over }),
      'content',
      tooLong(256_000, 256_001),
    );
    await rejects400(
      client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: [
          { type: 'text', text: 'fine' },
          { type: 'text', text: over },
        ],
      }),
      'content[1].text',
      tooLong(256_000, 256_001),
    );
    await rejects400(
      client.beta.threads.create({ messages: [{ role: 'user', content: over }] }),
      'messages[0].content',
      tooLong(256_000, 256_001),
    );
    await rejects400(
      client.beta.threads.runs.create(thread.id, {
        assistant_id: assistantId,
        additional_messages: [{ role: 'user', content: over }],
      }),
      'additional_messages[0].content',
      tooLong(256_000, 256_001),
    );
    assert.equal((await client.beta.threads.messages.list(thread.id)).data.length, 0);
  });

  test('exactly 256,000 characters are stored whole', async () => {
    const thread = await client.beta.threads.create();
    const text = '€'.repeat(256_000);
    const message = await client.beta.threads.messages.create(thread.id, { role: 'user', content: text });
    const stored = await client.beta.threads.messages.retrieve(message.id, { thread_id: thread.id });
    assert.equal(stored.content[0]?.type === 'text' ? stored.content[0].text.value : '', text);
  });
});

describe('message arrays are bounded', () => {
  test('a thread is created with at most 32 messages', async () => {
    const thread = await client.beta.threads.create({ messages: userMessages(32) });
    assert.equal((await client.beta.threads.messages.list(thread.id, { limit: 100 })).data.length, 32);
    const arrayTooLong =
      /Invalid 'messages': array too long. Expected an array with maximum length 32, but got .* 33 instead/;
    await rejects400(client.beta.threads.create({ messages: userMessages(33) }), 'messages', arrayTooLong);
    await rejects400(
      client.beta.threads.createAndRun({ assistant_id: assistantId, thread: { messages: userMessages(33) } }),
      'thread.messages',
      /array too long. Expected an array with maximum length 32, but got an array with length 33/,
    );
  });

  test('additional_messages that would take a thread past its limit are refused, and none is added', async () => {
    const thread = await client.beta.threads.create({ messages: userMessages(32) });
    await assert.rejects(
      client.beta.threads.runs.create(thread.id, { assistant_id: assistantId, additional_messages: userMessages(9) }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, 'additional_messages');
        assert.equal(error.code, 'thread_message_limit');
        const limit = MESSAGES_PER_THREAD;
        const expected = `Thread ${thread.id} has 32 messages; 9 more would exceed the maximum of ${limit} messages.`;
        assert.equal((error.error as { message: string }).message, expected);
        return true;
      },
    );
    assert.equal((await client.beta.threads.messages.list(thread.id, { limit: 100 })).data.length, 32);
    const run = await client.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistantId,
      additional_messages: userMessages(7),
    });
    assert.equal(run.status, 'completed');
    assert.equal((await client.beta.threads.messages.list(thread.id, { limit: 100 })).data.length, 40);
  });
});

describe('a 10,000-item array is refused at its limit, not after checking every item', () => {
  const badTools = Array.from({ length: 10_000 }, () => ({
    type: 'function' as const,
    function: { name: 'not a valid name' },
  }));

  test('assistant tools: the array length is the error, not the first bad item', async () => {
    await rejects400(
      client.beta.assistants.create({ model: 'gpt-4o', tools: badTools }),
      'tools',
      /array too long. Expected an array with maximum length 128, but got an array with length 10000 instead./,
    );
  });

  test('run tools and thread messages likewise', async () => {
    const thread = await client.beta.threads.create();
    await rejects400(
      client.beta.threads.runs.create(thread.id, { assistant_id: assistantId, tools: badTools }),
      'tools',
      /maximum length 20, but got an array with length 10000/,
    );
    const badMessages = Array.from({ length: 10_000 }, () => ({ role: 'robot', content: 7 }));
    await rejects400(
      client.beta.threads.create({ messages: badMessages as never }),
      'messages',
      /maximum length 32, but got an array with length 10000/,
    );
  });

  test('an array without a limit of its own is still checked to its last item', async () => {
    const thread = await client.beta.threads.create();
    const messages = [...userMessages(9_999), { role: 'robot', content: 'x' }];
    await rejects400(
      client.beta.threads.runs.create(thread.id, { assistant_id: assistantId, additional_messages: messages as never }),
      'additional_messages[9999].role',
      /Invalid value: 'robot'. Supported values are: 'user' and 'assistant'./,
    );
  });
});

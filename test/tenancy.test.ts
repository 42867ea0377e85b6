import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sdkClient } from './helpers/client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let alice: OpenAI;
let bob: OpenAI;

before(async () => {
  server = await startTestServer({
    env: { API_KEYS: 'key-alice=project-a, key-alice-2=project-a, key-bob=project-b' },
  });
  alice = sdkClient(server, 'key-alice');
  bob = sdkClient(server, 'key-bob');
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

async function assertNotFound(call: Promise<unknown>) {
  await assert.rejects(call, (error: unknown) => error instanceof OpenAI.NotFoundError);
}

describe('tenant isolation', () => {
  test('another project cannot see, change or delete an assistant', async () => {
    const assistant = await alice.beta.assistants.create({ model: 'gpt-4o', name: 'private' });
    await assertNotFound(bob.beta.assistants.retrieve(assistant.id));
    await assertNotFound(bob.beta.assistants.update(assistant.id, { name: 'stolen' }));
    await assertNotFound(bob.beta.assistants.delete(assistant.id));
    const bobsList = await bob.beta.assistants.list();
    assert.ok(!bobsList.data.some((a) => a.id === assistant.id));
    assert.equal((await alice.beta.assistants.retrieve(assistant.id)).name, 'private');
  });

  test('keys of the same project share objects', async () => {
    const assistant = await alice.beta.assistants.create({ model: 'gpt-4o' });
    const sameProject = sdkClient(server, 'key-alice-2');
    assert.equal((await sameProject.beta.assistants.retrieve(assistant.id)).id, assistant.id);
  });

  test('another project cannot see, change or delete a thread or its messages', async () => {
    const thread = await alice.beta.threads.create({ messages: [{ role: 'user', content: 'secret' }] });
    const [message] = (await alice.beta.threads.messages.list(thread.id)).data;
    await assertNotFound(bob.beta.threads.retrieve(thread.id));
    await assertNotFound(bob.beta.threads.update(thread.id, { metadata: { x: 'y' } }));
    await assertNotFound(bob.beta.threads.delete(thread.id));
    await assertNotFound(bob.beta.threads.messages.list(thread.id));
    await assertNotFound(bob.beta.threads.messages.create(thread.id, { role: 'user', content: 'intrude' }));
    await assertNotFound(bob.beta.threads.messages.retrieve(message!.id, { thread_id: thread.id }));
    await assertNotFound(bob.beta.threads.messages.update(message!.id, { thread_id: thread.id, metadata: {} }));
    await assertNotFound(bob.beta.threads.messages.delete(message!.id, { thread_id: thread.id }));
    assert.equal((await alice.beta.threads.messages.list(thread.id)).data.length, 1);
  });

  test('another project’s files cannot be referenced', async () => {
    const file = await alice.files.create({
      file: await OpenAI.toFile(Buffer.from('a'), 'a.txt'),
      purpose: 'assistants',
    });
    await assertNotFound(bob.files.retrieve(file.id));
    await assertNotFound(
      bob.beta.assistants.create({ model: 'gpt-4o', tool_resources: { code_interpreter: { file_ids: [file.id] } } }),
    );
    await assertNotFound(
      bob.beta.threads.create({
        messages: [{ role: 'user', content: 'x', attachments: [{ file_id: file.id, tools: [] }] }],
      }),
    );
  });

  test('cursors of another project are not usable', async () => {
    const assistant = await alice.beta.assistants.create({ model: 'gpt-4o' });
    await assert.rejects(bob.beta.assistants.list({ after: assistant.id }), OpenAI.BadRequestError);
  });
});

describe('authentication', () => {
  test('an unknown key is a 401 with OpenAI’s text', async () => {
    const stranger = sdkClient(server, 'sk-not-a-real-key-123456');
    await assert.rejects(stranger.beta.assistants.list(), (error: unknown) => {
      assert.ok(error instanceof OpenAI.AuthenticationError);
      assert.equal(error.code, 'invalid_api_key');
      assert.match(error.message, /^401 Incorrect API key provided: sk-\*+3456\.$/);
      return true;
    });
  });

  test('a missing key is a 401', async () => {
    const response = await fetch(`${server.baseURL}/assistants`);
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { message: string; type: string } };
    assert.match(body.error.message, /You didn't provide an API key/);
    assert.equal(body.error.type, 'invalid_request_error');
  });

  test('health needs no key', async () => {
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
  });
});

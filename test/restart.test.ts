import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import OpenAI from 'openai';
import { sdkClient } from './helpers/client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

const servers: TestServer[] = [];

after(async () => {
  for (const server of servers) await server.stop();
  removeDataDir(servers[0]!);
});

test('every object survives a restart, and a kill -9', async () => {
  const first = await startTestServer();
  servers.push(first);
  const client = sdkClient(first);
  const file = await client.files.create({
    file: await OpenAI.toFile(Buffer.from('persist me'), 'p.txt'),
    purpose: 'assistants',
  });
  const assistant = await client.beta.assistants.create({
    model: 'gpt-4o',
    name: 'durable',
    tools: [{ type: 'code_interpreter' }],
    tool_resources: { code_interpreter: { file_ids: [file.id] } },
  });
  const thread = await client.beta.threads.create({
    messages: [{ role: 'user', content: 'one' }],
    metadata: { k: 'v' },
  });
  const message = await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'two' });
  const upload = await client.uploads.create({
    bytes: 3,
    filename: 'u.txt',
    mime_type: 'text/plain',
    purpose: 'assistants',
  });
  await first.stop();

  const second = await startTestServer({ dataDir: first.dataDir });
  servers.push(second);
  const again = sdkClient(second);
  assert.deepEqual(await again.beta.assistants.retrieve(assistant.id), assistant);
  assert.deepEqual(await again.beta.threads.retrieve(thread.id), thread);
  assert.deepEqual(await again.beta.threads.messages.retrieve(message.id, { thread_id: thread.id }), message);
  assert.equal((await again.beta.threads.messages.list(thread.id)).data.length, 2);
  assert.deepEqual(await again.files.retrieve(file.id), file);
  assert.equal(await (await again.files.content(file.id)).text(), 'persist me');
  const part = await again.uploads.parts.create(upload.id, { data: await OpenAI.toFile(Buffer.from('abc'), 'part') });

  // A crash must not lose anything that was acknowledged.
  const late = await again.beta.assistants.create({ model: 'gpt-4o', name: 'written just before the crash' });
  await second.kill();

  const third = await startTestServer({ dataDir: first.dataDir });
  servers.push(third);
  const afterCrash = sdkClient(third);
  assert.equal((await afterCrash.beta.assistants.retrieve(late.id)).name, 'written just before the crash');
  const completed = await afterCrash.uploads.complete(upload.id, { part_ids: [part.id] });
  assert.equal(completed.status, 'completed');
  assert.equal(await (await afterCrash.files.content(completed.file!.id)).text(), 'abc');
});

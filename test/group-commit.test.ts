import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sdkClient } from './helpers/client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

const servers: TestServer[] = [];

after(async () => {
  for (const server of servers) await server.stop();
  if (servers[0]) removeDataDir(servers[0]);
});

/**
 * Writes arriving together commit together (group commit), and each is answered only once its transaction is
 * durable: a server killed with -9 while hundreds of writes are in flight keeps every write it acknowledged, and
 * every write is all there or not there at all.
 */
test('under concurrent writes, a kill -9 loses no acknowledged write and leaves no half-written one', async () => {
  const first = await startTestServer();
  servers.push(first);
  const client = sdkClient(first);
  const threads = await Promise.all(Array.from({ length: 8 }, () => client.beta.threads.create()));

  const acknowledged: Array<{ threadId: string; messageId: string; text: string }> = [];
  let sent = 0;
  let stop = false;
  // 64 writers, each posting messages one after another until the server dies.
  const writers = Array.from({ length: 64 }, async (_, writer) => {
    while (!stop) {
      const thread = threads[writer % threads.length]!;
      const text = `writer ${writer} message ${sent++}`;
      try {
        const message = await client.beta.threads.messages.create(thread.id, { role: 'user', content: text });
        acknowledged.push({ threadId: thread.id, messageId: message.id, text });
      } catch {
        return; // the server is gone: this write was never acknowledged
      }
    }
  });
  while (acknowledged.length < 500) await new Promise((resolve) => setTimeout(resolve, 5));
  await first.kill();
  stop = true;
  await Promise.all(writers);

  const second = await startTestServer({ dataDir: first.dataDir });
  servers.push(second);
  const again = sdkClient(second);
  let stored = 0;
  for (const thread of threads) {
    const messages = [];
    for await (const message of again.beta.threads.messages.list(thread.id, { limit: 100 })) messages.push(message);
    stored += messages.length;
    const byId = new Map(messages.map((message) => [message.id, message]));
    for (const ack of acknowledged.filter((entry) => entry.threadId === thread.id)) {
      const message = byId.get(ack.messageId);
      assert.ok(message, `acknowledged message ${ack.messageId} (${ack.text}) was lost`);
      assert.equal(message.content[0]?.type === 'text' && message.content[0].text.value, ack.text);
    }
    for (const message of messages) {
      assert.equal(message.content.length, 1, 'every stored message is whole');
    }
  }
  assert.ok(stored >= acknowledged.length, `${stored} stored, ${acknowledged.length} acknowledged`);
  assert.ok(stored <= sent, 'nothing was stored that was not sent');
});

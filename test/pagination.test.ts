import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sdkClient } from './helpers/client.js';
import { checkResponse } from './helpers/contract-fetch.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let client: OpenAI;
let threadId: string;
/** Ids of the thread's messages in creation order. */
let created: string[];

before(async () => {
  server = await startTestServer();
  client = sdkClient(server);
  const thread = await client.beta.threads.create();
  threadId = thread.id;
  created = [];
  for (let i = 0; i < 7; i++) {
    created.push((await client.beta.threads.messages.create(threadId, { role: 'user', content: `m${i}` })).id);
  }
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

/** One raw page (the SDK hides `first_id`/`last_id`), checked against the contract like every response. */
async function page(query: Record<string, string | number>) {
  const path = `/v1/threads/${threadId}/messages`;
  const search = new URLSearchParams(
    Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
  );
  const response = await fetch(`${server.url}${path}?${search}`, { headers: { authorization: 'Bearer test-key' } });
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    data: Array<{ id: string }>;
    first_id: string | null;
    last_id: string | null;
    has_more: boolean;
  };
  assert.deepEqual(checkResponse('GET', path, response.status, body), []);
  return {
    ids: body.data.map((message) => message.id),
    first_id: body.first_id,
    last_id: body.last_id,
    has_more: body.has_more,
  };
}

describe('cursor pagination', () => {
  test('the default order is newest first with a limit of 20', async () => {
    const result = await page({});
    assert.deepEqual(result.ids, [...created].reverse());
    assert.equal(result.has_more, false);
    assert.equal(result.first_id, created.at(-1));
    assert.equal(result.last_id, created[0]);
  });

  test('asc order with a limit pages forward with after', async () => {
    const first = await page({ order: 'asc', limit: 3 });
    assert.deepEqual(first.ids, created.slice(0, 3));
    assert.equal(first.has_more, true);
    const second = await page({ order: 'asc', limit: 3, after: first.last_id! });
    assert.deepEqual(second.ids, created.slice(3, 6));
    assert.equal(second.has_more, true);
    const third = await page({ order: 'asc', limit: 3, after: second.last_id! });
    assert.deepEqual(third.ids, created.slice(6));
    assert.equal(third.has_more, false);
  });

  test('desc order pages backward in time with after', async () => {
    const first = await page({ order: 'desc', limit: 4 });
    assert.deepEqual(first.ids, created.slice(3).reverse());
    const second = await page({ order: 'desc', limit: 4, after: first.last_id! });
    assert.deepEqual(second.ids, created.slice(0, 3).reverse());
    assert.equal(second.has_more, false);
  });

  test('before returns the items just before the cursor, in the requested order', async () => {
    const asc = await page({ order: 'asc', limit: 2, before: created[5]! });
    assert.deepEqual(asc.ids, [created[3], created[4]]);
    assert.equal(asc.has_more, true);
    const desc = await page({ order: 'desc', limit: 2, before: created[1]! });
    assert.deepEqual(desc.ids, [created[3], created[2]]);
    assert.equal(desc.has_more, true);
    const edge = await page({ order: 'asc', before: created[0]! });
    assert.deepEqual(edge.ids, []);
    assert.equal(edge.has_more, false);
  });

  test('after and before together bound a range', async () => {
    const range = await page({ order: 'asc', after: created[1]!, before: created[5]! });
    assert.deepEqual(range.ids, created.slice(2, 5));
  });

  test('after the last id gives an empty page with null first/last ids', async () => {
    const result = await page({ order: 'asc', after: created.at(-1)! });
    assert.deepEqual(result, { ids: [], first_id: null, last_id: null, has_more: false });
  });

  test('an empty thread lists an empty page', async () => {
    const empty = await client.beta.threads.create();
    const result = await client.beta.threads.messages.list(empty.id);
    assert.deepEqual(result.data, []);
    assert.equal(result.hasNextPage(), false);
  });

  test('the SDK auto-paginator visits every item exactly once', async () => {
    const seen: string[] = [];
    for await (const message of client.beta.threads.messages.list(threadId, { limit: 2, order: 'asc' }))
      seen.push(message.id);
    assert.deepEqual(seen, created);
  });

  test('a limit of 100 is accepted; 0, 101 and non-numbers are rejected naming limit', async () => {
    assert.equal((await page({ limit: 100 })).ids.length, created.length);
    for (const limit of ['0', '101', 'ten', '1.5']) {
      const response = await fetch(`${server.baseURL}/threads/${threadId}/messages?limit=${limit}`, {
        headers: { authorization: 'Bearer k' },
      });
      assert.equal(response.status, 400, limit);
      const body = (await response.json()) as { error: { param: string } };
      assert.equal(body.error.param, 'limit');
    }
  });

  test('an invalid order or an unknown cursor is a 400', async () => {
    await assert.rejects(
      client.beta.threads.messages.list(threadId, { order: 'sideways' as 'asc' }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.param, 'order');
        return true;
      },
    );
    await assert.rejects(client.beta.threads.messages.list(threadId, { after: 'msg_unknown' }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.param, 'after');
      return true;
    });
  });

  test('assistants paginate the same way', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.beta.assistants.create({ model: 'gpt-4o', name: `a${i}` })).id);
    const firstPage = await client.beta.assistants.list({ limit: 2, order: 'asc' });
    assert.deepEqual(
      firstPage.data.map((a) => a.id),
      ids.slice(0, 2),
    );
    assert.equal(firstPage.hasNextPage(), true);
    const next = await firstPage.getNextPage();
    assert.deepEqual(
      next.data.map((a) => a.id),
      ids.slice(2),
    );
  });

  test('messages can be filtered by run_id', async () => {
    const result = await client.beta.threads.messages.list(threadId, { run_id: 'run_none' });
    assert.deepEqual(result.data, []);
  });
});

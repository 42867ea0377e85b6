import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { sdkClient } from './helpers/client.js';
import { validateAgainst } from './helpers/contract-fetch.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let listPaths: string[];

before(async () => {
  server = await startTestServer();
  const client = sdkClient(server);
  const thread = await client.beta.threads.create();
  const store = await client.vectorStores.create({ name: 'q' });
  // Every list operation of the contract; the run and batch need not exist, as the query is read first.
  listPaths = [
    '/assistants',
    `/threads/${thread.id}/messages`,
    `/threads/${thread.id}/runs`,
    `/threads/${thread.id}/runs/run_x/steps`,
    '/files',
    '/vector_stores',
    `/vector_stores/${store.id}/files`,
    `/vector_stores/${store.id}/file_batches/vsfb_x/files`,
  ];
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

async function list(path: string, query: string) {
  const response = await fetch(`${server.baseURL}${path}?${query}`, { headers: { authorization: 'Bearer k' } });
  const body = (await response.json()) as { error: { message: string; param: string | null; code: string | null } };
  return { status: response.status, body };
}

/** `[query, param, message]`: each must be a 400 naming `param` with exactly `message`. */
const INVALID: Array<[string, string, string]> = [
  ['limit=', 'limit', "Invalid 'limit': expected an integer, but got '' instead."],
  ['limit=abc', 'limit', "Invalid 'limit': expected an integer, but got 'abc' instead."],
  ['limit=1.5', 'limit', "Invalid 'limit': expected an integer, but got '1.5' instead."],
  ['limit=0', 'limit', "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead."],
  ['limit[]=1', 'limit', "Invalid type for 'limit': expected an integer, but got an array instead."],
  ['limit[a]=1', 'limit', "Invalid type for 'limit': expected an integer, but got an object instead."],
  ['limit=1&limit=2', 'limit', "Invalid type for 'limit': expected an integer, but got an array instead."],
  ['order=sideways', 'order', "Invalid value: 'sideways'. Supported values are: 'asc' and 'desc'."],
  ['order=', 'order', "Invalid value: ''. Supported values are: 'asc' and 'desc'."],
  ['order[a]=b', 'order', "Invalid type for 'order': expected a string, but got an object instead."],
  ['order=asc&order=desc', 'order', "Invalid type for 'order': expected a string, but got an array instead."],
  ['after[]=x', 'after', "Invalid 'after': expected a single object id."],
  ['after=x&after=y', 'after', "Invalid 'after': expected a single object id."],
];

describe('invalid page parameters are 400s on every list endpoint', () => {
  for (const [query, param, message] of INVALID) {
    test(`?${query}`, async () => {
      for (const path of listPaths) {
        const { status, body } = await list(path, query);
        assert.equal(status, 400, `${path}?${query}`);
        assert.deepEqual(validateAgainst('ErrorResponse', body), []);
        assert.equal(body.error.param, param, path);
        assert.equal(body.error.message, message, path);
      }
    });
  }

  test('limit=101 is above the maximum everywhere but /files, whose maximum is 10,000', async () => {
    for (const path of listPaths) {
      const [limit, max] = path === '/files' ? [10_001, 10_000] : [101, 100];
      const { status, body } = await list(path, `limit=${limit}`);
      assert.equal(status, 400, path);
      assert.equal(
        body.error.message,
        `Invalid 'limit': integer above maximum value. Expected a value <= ${max}, but got ${limit} instead.`,
      );
    }
  });

  test('before[]=x is refused where before exists', async () => {
    const { status, body } = await list('/assistants', 'before[]=x');
    assert.equal(status, 400);
    assert.equal(body.error.param, 'before');
  });
});

describe('filters take one string', () => {
  const cases: Array<[() => string, string, string]> = [
    [() => listPaths[1]!, 'run_id[]=run_x', 'run_id'],
    [() => '/files', 'purpose[a]=assistants', 'purpose'],
    [() => listPaths[6]!, 'filter=completed&filter=failed', 'filter'],
  ];
  for (const [path, query, param] of cases) {
    test(`?${query}`, async () => {
      const { status, body } = await list(path(), query);
      assert.equal(status, 400);
      assert.equal(body.error.param, param);
      assert.match(
        body.error.message,
        new RegExp(`^Invalid type for '${param}': expected a string, but got an (array|object) instead.$`),
      );
    });
  }

  test('valid queries still work through the SDK', async () => {
    const client = sdkClient(server);
    const page = await client.beta.assistants.list({ limit: 1, order: 'asc' });
    assert.deepEqual(page.data, []);
    await assert.rejects(client.beta.assistants.list({ limit: 0 }), OpenAI.BadRequestError);
  });
});

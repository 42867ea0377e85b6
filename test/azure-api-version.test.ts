import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { AZURE_ASSISTANTS_API_VERSIONS } from '../src/api/azure-api-versions.js';
import { AZURE_API_VERSION, azureClient } from './helpers/azure-client.js';
import { checkResponse } from './helpers/contract-fetch.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

/*
 * Azure OpenAI's `api-version` query parameter on every `/openai` route: each version Azure served Assistants under
 * is accepted, a missing one means the newest, anything else is Azure's 400 — without disturbing the list
 * endpoints' own query checks.
 */

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { EMBEDDING_MODEL: 'none' } });
});
after(async () => {
  await server.stop();
  removeDataDir(server);
});

/** A raw request under `/openai`, as a hand-written Azure client sends it; its JSON checked against the contract. */
async function azureFetch(path: string, init: { method?: string; body?: unknown } = {}) {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const response = await fetch(`${server.url}/openai${path}`, {
    method,
    headers: { 'api-key': 'test-key', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as Record<string, any>;
  const { pathname } = new URL(response.url);
  assert.deepEqual(checkResponse(method, pathname, response.status, body), [], `${method} ${path}`);
  return { status: response.status, body };
}

/** Azure's first sentence, then the versions this server accepts (the SDK puts the status before the message). */
const UNSUPPORTED =
  /API version not supported: '(.*)'\. Supported values are: '2024-02-15-preview', .*'2025-04-01-preview'\.$/;

describe('api-version on /openai', () => {
  test('every version Azure served Assistants under works with the AzureOpenAI client', async () => {
    for (const apiVersion of AZURE_ASSISTANTS_API_VERSIONS) {
      const client = azureClient(server, { apiVersion });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', name: apiVersion });
      const fetched = await client.beta.assistants.retrieve(assistant.id);
      assert.equal(fetched.name, apiVersion);
    }
  });

  test('a request without api-version is answered as the newest version', async () => {
    const created = await azureFetch('/assistants', { body: { model: 'gpt-4o', name: 'versionless' } });
    assert.equal(created.status, 200);
    const fetched = await azureFetch(`/assistants/${created.body.id}`);
    assert.equal(fetched.body.name, 'versionless');
  });

  test('an unknown version is a 400 in the error shape the SDK reads, naming the parameter', async () => {
    for (const apiVersion of ['2023-05-15', '2024-10-21', '2024-06-01-preview', 'latest', 'preview']) {
      const client = azureClient(server, { apiVersion });
      await assert.rejects(client.beta.assistants.list(), (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.code, 'BadRequest');
        assert.equal(error.param, 'api-version');
        assert.match(error.message, UNSUPPORTED);
        assert.equal(UNSUPPORTED.exec(error.message)?.[1], apiVersion);
        return true;
      });
    }
    const empty = await azureFetch('/threads?api-version=', { body: {} });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, UNSUPPORTED);
  });

  test('api-version takes one value, like every other query parameter', async () => {
    for (const query of ['api-version=2024-05-01-preview&api-version=2024-07-01-preview', 'api-version[]=x']) {
      const { status, body } = await azureFetch(`/assistants?${query}`);
      assert.equal(status, 400, query);
      assert.deepEqual(body.error, {
        message: "Invalid type for 'api-version': expected a string, but got an array instead.",
        type: 'invalid_request_error',
        param: 'api-version',
        code: 'invalid_type',
      });
    }
  });

  test('an unknown version is refused before anything is created', async () => {
    const before = await azureFetch('/assistants?limit=100');
    const refused = await azureFetch('/assistants?api-version=2099-01-01', { body: { model: 'gpt-4o' } });
    assert.equal(refused.status, 400);
    const afterwards = await azureFetch('/assistants?limit=100');
    assert.equal(afterwards.body.data.length, before.body.data.length);
  });

  test('list endpoints still check their own parameters beside api-version', async () => {
    const client = azureClient(server);
    for (let index = 0; index < 3; index += 1) await client.beta.assistants.create({ model: 'gpt-4o' });
    const page = await client.beta.assistants.list({ limit: 2 });
    assert.equal(page.data.length, 2);
    assert.equal(page.has_more, true);
    const next = await page.getNextPage();
    assert.ok(next.data.length >= 1);
    assert.ok(!next.data.some((assistant) => page.data.some((seen) => seen.id === assistant.id)));

    const tooLarge = await azureFetch(`/assistants?api-version=${AZURE_API_VERSION}&limit=101`);
    assert.equal(tooLarge.status, 400);
    assert.equal(tooLarge.body.error.param, 'limit');
    const badOrder = await azureFetch(`/threads/thread_x/messages?order=up&api-version=${AZURE_API_VERSION}`);
    assert.equal(badOrder.body.error.param, 'order');
  });

  test('multipart uploads carry api-version in the query too', async () => {
    const client = azureClient(server);
    const file = await client.files.create({
      file: await toFile(Buffer.from('hello'), 'a.txt'),
      purpose: 'assistants',
    });
    assert.equal(file.filename, 'a.txt');
    const refused = azureClient(server, { apiVersion: '2024-10-21' });
    await assert.rejects(
      refused.files.create({ file: await toFile(Buffer.from('hello'), 'b.txt'), purpose: 'assistants' }),
      OpenAI.BadRequestError,
    );
  });

  test('under /v1, api-version means nothing: OpenAI clients never send it', async () => {
    const response = await fetch(`${server.baseURL}/assistants?api-version=nonsense`, {
      headers: { authorization: 'Bearer test-key' },
    });
    assert.equal(response.status, 200);
  });
});

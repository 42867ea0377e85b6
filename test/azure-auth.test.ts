import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { azureClient } from './helpers/azure-client.js';
import { sdkClient } from './helpers/client.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

/*
 * Azure OpenAI's credential, the `api-key` header, is an API key like a bearer token: the same keys, the same
 * projects, on both prefixes. A project's rate limits are counted once, whichever prefix it calls.
 */

let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: {
      API_KEYS: 'key-a=alpha,key-a2=alpha,key-b=beta,key-limited=limited',
      RATE_LIMITS: JSON.stringify({ defaults: 'off', projects: { limited: { post: 2, runs: 1 } } }),
      // Runs created here fail fast instead of reaching out to api.openai.com.
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      UPSTREAM_MAX_RETRIES: '0',
      EMBEDDING_MODEL: 'none',
    },
  });
});
after(async () => {
  await server.stop();
  removeDataDir(server);
});

/** A request with the given headers; `prefix` is `/v1` or `/openai`. */
async function call(prefix: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${server.url}${prefix}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

describe('the api-key header', () => {
  test('the AzureOpenAI client authenticates with api-key and sees its project only', async () => {
    const alpha = azureClient(server, { apiKey: 'key-a' });
    const beta = azureClient(server, { apiKey: 'key-b' });
    const assistant = await alpha.beta.assistants.create({ model: 'gpt-4o', name: 'alpha only' });
    assert.equal(
      (await azureClient(server, { apiKey: 'key-a2' }).beta.assistants.retrieve(assistant.id)).id,
      assistant.id,
    );
    await assert.rejects(beta.beta.assistants.retrieve(assistant.id), OpenAI.NotFoundError);
    assert.ok(!(await beta.beta.assistants.list()).data.some((listed) => listed.id === assistant.id));
  });

  test('one key, one project, whichever prefix and header: objects made under /openai are there under /v1', async () => {
    const azure = azureClient(server, { apiKey: 'key-a' });
    const thread = await azure.beta.threads.create({ messages: [{ role: 'user', content: 'from Azure' }] });
    const openai = sdkClient(server, 'key-a');
    const [message] = (await openai.beta.threads.messages.list(thread.id)).data;
    assert.equal(message?.content[0]?.type === 'text' && message.content[0].text.value, 'from Azure');
    const viaApiKeyOnV1 = await call('/v1', 'GET', `/threads/${thread.id}`, { 'api-key': 'key-a' });
    assert.equal(viaApiKeyOnV1.status, 200);
    assert.equal(viaApiKeyOnV1.body.id, thread.id);
    const otherProject = await call('/v1', 'GET', `/threads/${thread.id}`, { 'api-key': 'key-b' });
    assert.equal(otherProject.status, 404);
  });

  test('a Microsoft Entra token provider sends a bearer token, which is checked like any key', async () => {
    const entra = azureClient(server, { apiKey: undefined, azureADTokenProvider: async () => 'key-a' });
    assert.ok(Array.isArray((await entra.beta.assistants.list()).data));
    const wrong = azureClient(server, { apiKey: undefined, azureADTokenProvider: async () => 'not-a-key' });
    await assert.rejects(wrong.beta.assistants.list(), OpenAI.AuthenticationError);
  });

  test('a wrong or missing key is a 401 in OpenAI shape on both prefixes', async () => {
    for (const prefix of ['/v1', '/openai']) {
      const wrong = await call(prefix, 'GET', '/assistants', { 'api-key': 'key-nope-123456' });
      assert.equal(wrong.status, 401, prefix);
      assert.deepEqual(wrong.body.error, {
        message: 'Incorrect API key provided: key********3456.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
      for (const headers of [{}, { 'api-key': '' }, { 'api-key': '   ' }] as Array<Record<string, string>>) {
        const missing = await call(prefix, 'GET', '/assistants', headers);
        assert.equal(missing.status, 401, `${prefix} ${JSON.stringify(headers)}`);
        assert.match(missing.body.error.message, /^You didn't provide an API key/);
      }
    }
    await assert.rejects(
      azureClient(server, { apiKey: 'key-nope' }).beta.assistants.list(),
      OpenAI.AuthenticationError,
    );
  });

  test('a valid bearer token wins over api-key; a non-bearer Authorization leaves api-key to decide', async () => {
    const both = await call('/openai', 'GET', '/assistants', { authorization: 'Bearer key-b', 'api-key': 'key-nope' });
    assert.equal(both.status, 200);
    const basic = await call('/openai', 'GET', '/assistants', { authorization: 'Basic eDp5', 'api-key': 'key-a' });
    assert.equal(basic.status, 200);
  });
});

describe('rate limits and metrics under /openai', () => {
  test("a project's allowance is shared by both prefixes, and creating a run is its own class there too", async () => {
    const headers = { 'api-key': 'key-limited' };
    const first = await call('/v1', 'POST', '/assistants', headers, { model: 'gpt-4o' });
    assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '1');
    const second = await call('/openai', 'POST', '/threads', headers, {});
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('x-ratelimit-remaining-requests'), '0');
    const refused = await call('/openai', 'POST', '/threads', headers, {});
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'rate_limit_exceeded');

    // Run creation is counted apart from other POSTs, so it still has its one request.
    const run = await call('/openai', 'POST', `/threads/${second.body.id}/runs`, headers, {
      assistant_id: first.body.id,
    });
    assert.equal(run.status, 200);
    assert.equal(run.headers.get('x-ratelimit-limit-requests'), '1');
    const secondRun = await call('/v1', 'POST', '/threads/runs', headers, { assistant_id: first.body.id });
    assert.equal(secondRun.status, 429);
  });

  test('requests under /openai are counted under their own route pattern', async () => {
    await azureClient(server, { apiKey: 'key-a' }).beta.assistants.list();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(
      metrics,
      /assistants_http_requests_total\{method="GET",route="\/openai\/assistants",status_code="200"\} \d+/,
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validateAgainst } from './helpers/contract-fetch.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { BODY_LIMIT_BYTES: '65536' } });
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

async function post(
  path: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const response = await fetch(`${server.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', ...headers },
    body,
  });
  const json = (await response.json()) as { error: { message: string; param: string | null; code: string | null } };
  return { status: response.status, json };
}

/** Every error body must be OpenAI's ErrorResponse. */
function assertErrorShape(json: unknown) {
  assert.deepEqual(validateAgainst('ErrorResponse', json), []);
}

describe('malformed requests get OpenAI-shaped 4xx errors', () => {
  test('malformed JSON is a 400 with OpenAI’s hint', async () => {
    const { status, json } = await post('/assistants', '{"model": "gpt-4o",');
    assert.equal(status, 400);
    assertErrorShape(json);
    assert.match(json.error.message, /We could not parse the JSON body of your request/);
  });

  test('a JSON body that is not an object is a 400', async () => {
    const { status, json } = await post('/assistants', '[1,2]');
    assert.equal(status, 400);
    assertErrorShape(json);
  });

  test('a wrong content type is a 415', async () => {
    const { status, json } = await post('/assistants', 'model=gpt-4o', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(status, 415);
    assertErrorShape(json);
    assert.match(json.error.message, /application\/json/);
  });

  test('a multipart body on a JSON endpoint is a 415', async () => {
    const form = new FormData();
    form.set('model', 'gpt-4o');
    const response = await fetch(`${server.baseURL}/assistants`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: form,
    });
    assert.equal(response.status, 415);
    assertErrorShape(await response.json());
  });

  test('an oversized body is a 413', async () => {
    const { status, json } = await post(
      '/assistants',
      JSON.stringify({ model: 'gpt-4o', instructions: 'x'.repeat(70_000) }),
    );
    assert.equal(status, 413);
    assertErrorShape(json);
  });

  test('an unknown URL is a 404 naming it', async () => {
    const response = await fetch(`${server.baseURL}/nothing/here?x=1`, { headers: { authorization: 'Bearer k' } });
    assert.equal(response.status, 404);
    const json = (await response.json()) as { error: { message: string } };
    assertErrorShape(json);
    assert.equal(json.error.message, 'Invalid URL (GET /v1/nothing/here)');
  });

  test("a URL whose object id is empty (a trailing slash) is a 404 naming it, not a lookup of id ''", async () => {
    for (const [method, path] of [
      ['GET', '/assistants/'],
      ['DELETE', '/threads/'],
      ['POST', '/threads//messages'],
    ] as const) {
      const response = await fetch(`${server.baseURL}${path}`, {
        method,
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify({ role: 'user', content: 'hi' }) } : {}),
      });
      assert.equal(response.status, 404, path);
      const json = (await response.json()) as { error: { message: string } };
      assertErrorShape(json);
      assert.equal(json.error.message, `Invalid URL (${method} /v1${path})`);
    }
  });

  test('the OpenAI-Beta header is accepted and ignored', async () => {
    const { status } = await post('/threads', '{}', {
      'content-type': 'application/json',
      'openai-beta': 'assistants=v2',
    });
    assert.equal(status, 200);
    const v1 = await post('/threads', '{}', { 'content-type': 'application/json', 'openai-beta': 'assistants=v1' });
    assert.equal(v1.status, 200);
  });

  test('a POST without a body to an endpoint whose body is optional works', async () => {
    const response = await fetch(`${server.baseURL}/threads`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
    });
    assert.equal(response.status, 200);
  });

  test('the server stays healthy after all of that', async () => {
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
  });
});

describe('the health endpoint', () => {
  // Load balancers and `docker healthcheck` scripts parse this body, so it is part of the interface.
  test('GET /health answers 200 with exactly {"status":"ok"} as JSON', async () => {
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json(;|$)/);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });
});

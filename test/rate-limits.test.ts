import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { ConfigError, loadConfig } from '../src/config.js';
import { formatDuration } from '../src/http/format-duration.js';
import { sdkClient } from './helpers/client.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

const RATE_HEADERS = ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'];
/** OpenAI's reset format: `17ms`, `1s`, `8.64s`, `6m0s`. */
const DURATION = /^(\d+h)?(\d+m)?(\d+(\.\d+)?s|\d+ms)$/;

async function call(server: TestServer, key: string, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${server.baseURL}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const createAssistant = (server: TestServer, key: string) =>
  call(server, key, 'POST', '/assistants', { model: 'gpt-4o' });

describe('RATE_LIMITS with a minute window: OpenAI numbers by default, overrides per project', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      env: {
        API_KEYS: 'k-open=open,k-small=small,k-big=big,k-free=free,k-runs=runs',
        RATE_LIMITS: JSON.stringify({
          defaults: 'openai',
          projects: { small: { post: 2 }, big: { post: 5 }, free: 'off', runs: { runs: 1 } },
        }),
        // Runs created here fail fast instead of reaching out to api.openai.com.
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        UPSTREAM_MAX_RETRIES: '0',
      },
    });
  });
  after(async () => {
    await server?.stop();
    if (server) removeDataDir(server);
  });

  test('every limited response carries OpenAI numbers in the x-ratelimit headers', async () => {
    const created = await createAssistant(server, 'k-open');
    assert.equal(created.status, 200);
    assert.equal(created.headers.get('x-ratelimit-limit-requests'), '300');
    assert.equal(created.headers.get('x-ratelimit-remaining-requests'), '299');
    // One request of 300 a minute comes back after 200 ms.
    assert.equal(created.headers.get('x-ratelimit-reset-requests'), '200ms');
    const { id } = (await created.json()) as { id: string };
    const listed = await call(server, 'k-open', 'GET', '/assistants');
    assert.equal(listed.headers.get('x-ratelimit-limit-requests'), '1000');
    assert.equal(listed.headers.get('x-ratelimit-remaining-requests'), '999');
    const deleted = await call(server, 'k-open', 'DELETE', `/assistants/${id}`);
    assert.equal(deleted.headers.get('x-ratelimit-limit-requests'), '300');
    // A streamed response carries them too.
    const { id: runner } = (await (await createAssistant(server, 'k-open')).json()) as { id: string };
    const threadAndRun = await call(server, 'k-open', 'POST', '/threads/runs', { assistant_id: runner, stream: true });
    assert.equal(threadAndRun.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(threadAndRun.headers.get('x-ratelimit-limit-requests'), '200');
    assert.equal(threadAndRun.headers.get('x-ratelimit-remaining-requests'), '199');
    await threadAndRun.text();
    // Not a limited route: /health sits outside /v1.
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.headers.get('x-ratelimit-limit-requests'), null);
  });

  test('past the limit: a 429 in OpenAI shape with retry-after and the headers', async () => {
    for (const remaining of ['1', '0']) {
      const allowed = await createAssistant(server, 'k-small');
      assert.equal(allowed.status, 200);
      assert.equal(allowed.headers.get('x-ratelimit-remaining-requests'), remaining);
    }
    const refused = await createAssistant(server, 'k-small');
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), {
      error: {
        message:
          'Rate limit reached for POST requests in project small: Limit 2 per min, Used 2, Requested 1. ' +
          'Please try again in 30s.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    // Two a minute: one comes back every 30 s, and the bucket is full again after a minute.
    assert.equal(refused.headers.get('retry-after'), '30');
    assert.equal(refused.headers.get('x-ratelimit-limit-requests'), '2');
    assert.equal(refused.headers.get('x-ratelimit-remaining-requests'), '0');
    assert.match(refused.headers.get('x-ratelimit-reset-requests') ?? '', /^(59(\.\d+)?s|1m0s)$/);
    assert.match(refused.headers.get('x-ratelimit-reset-requests') ?? '', DURATION);

    // Other classes of the same project keep their own (OpenAI default) allowance.
    const listed = await call(server, 'k-small', 'GET', '/assistants');
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('x-ratelimit-limit-requests'), '1000');
  });

  test('the SDK without retries surfaces a RateLimitError carrying the type and code', async () => {
    const client = sdkClient(server, 'k-small');
    const error = await rejectsWith(client.beta.assistants.create({ model: 'gpt-4o' }), {
      status: 429,
      code: 'rate_limit_exceeded',
      message: /Rate limit reached for POST requests in project small/,
    });
    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.equal(error.type, 'requests');
    assert.equal(error.headers?.get('retry-after'), '30');
  });

  test('a project override raises the limit for that project only, and projects never share a bucket', async () => {
    for (let index = 0; index < 5; index++) {
      const allowed = await createAssistant(server, 'k-big');
      assert.equal(allowed.status, 200, `request ${index + 1} of 5`);
      assert.equal(allowed.headers.get('x-ratelimit-limit-requests'), '5');
    }
    const refused = await createAssistant(server, 'k-big');
    assert.equal(refused.status, 429);
    assert.match(
      ((await refused.json()) as { error: { message: string } }).error.message,
      /project big: Limit 5 per min/,
    );
  });

  test('"off" for a project lifts every limit: no headers, no 429', async () => {
    for (let index = 0; index < 10; index++) {
      const response = await createAssistant(server, 'k-free');
      assert.equal(response.status, 200);
      for (const header of RATE_HEADERS) assert.equal(response.headers.get(header), null, header);
    }
  });

  test('creating runs is its own class: both run-creating routes share it, other POSTs do not', async () => {
    const assistant = (await (await createAssistant(server, 'k-runs')).json()) as { id: string };
    const thread = (await (await call(server, 'k-runs', 'POST', '/threads', {})).json()) as { id: string };
    const run = await call(server, 'k-runs', 'POST', `/threads/${thread.id}/runs`, { assistant_id: assistant.id });
    assert.equal(run.status, 200);
    assert.equal(run.headers.get('x-ratelimit-limit-requests'), '1');
    assert.equal(run.headers.get('x-ratelimit-remaining-requests'), '0');
    const second = await call(server, 'k-runs', 'POST', '/threads/runs', { assistant_id: assistant.id });
    assert.equal(second.status, 429);
    assert.match(
      ((await second.json()) as { error: { message: string } }).error.message,
      /^Rate limit reached for create run requests/,
    );
    const other = await call(server, 'k-runs', 'POST', '/threads', {});
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('x-ratelimit-limit-requests'), '300');
  });
});

describe('RATE_LIMITS with a short window', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      env: { RATE_LIMITS: JSON.stringify({ window_seconds: 2, defaults: { post: 1 } }) },
    });
  });
  after(async () => {
    await server?.stop();
    if (server) removeDataDir(server);
  });

  test('the SDK with retries waits for retry-after, retries, and succeeds', async () => {
    const attempts: Array<{ status: number; at: number; retryAfter: string | null }> = [];
    const client = new OpenAI({
      baseURL: server.baseURL,
      apiKey: 'any',
      maxRetries: 2,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        attempts.push({
          status: response.status,
          at: performance.now(),
          retryAfter: response.headers.get('retry-after'),
        });
        return response;
      },
    });
    const exhaust = await createAssistant(server, 'any');
    assert.equal(exhaust.status, 200);

    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', name: 'patient' });
    assert.equal(assistant.name, 'patient');
    assert.deepEqual(
      attempts.map((attempt) => attempt.status),
      [429, 200],
    );
    // One request per 2 s: the refusal says 2 s, and the SDK waited that long before its retry.
    assert.equal(attempts[0]!.retryAfter, '2');
    assert.ok(attempts[1]!.at - attempts[0]!.at >= 1_900, `retried after ${attempts[1]!.at - attempts[0]!.at} ms`);
  });

  test('the message names a window that is not a minute by its length', async () => {
    await createAssistant(server, 'any');
    const refused = await createAssistant(server, 'any');
    assert.equal(refused.status, 429);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /Limit 1 per 2s, Used 1/);
  });
});

describe('RATE_LIMITS unset', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
    if (server) removeDataDir(server);
  });

  test('is the default: no limit, no headers', async () => {
    for (let index = 0; index < 20; index++) {
      const response = await createAssistant(server, 'any');
      assert.equal(response.status, 200);
      for (const header of [...RATE_HEADERS, 'retry-after']) assert.equal(response.headers.get(header), null, header);
    }
  });
});

describe('the RATE_LIMITS setting', () => {
  test('accepts off, openai, inline JSON and a JSON file', () => {
    assert.equal(loadConfig({}).rateLimits, undefined);
    assert.equal(loadConfig({ RATE_LIMITS: 'off' }).rateLimits, undefined);
    assert.deepEqual(loadConfig({ RATE_LIMITS: 'openai' }).rateLimits?.defaults, {
      get: 1000,
      post: 300,
      runs: 200,
      delete: 300,
    });
    const folder = mkdtempSync(path.join(tmpdir(), 'rate-limits-'));
    try {
      const file = path.join(folder, 'limits.json');
      writeFileSync(file, JSON.stringify({ defaults: 'openai', projects: { batch: { post: 1000, get: null } } }));
      const settings = loadConfig({ RATE_LIMITS: file }).rateLimits!;
      assert.equal(settings.windowMs, 60_000);
      // A project's entry overrides the defaults class by class; null lifts a limit.
      assert.deepEqual(settings.projects.get('batch'), { post: 1000, runs: 200, delete: 300 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('refuses what it cannot read, saying where', () => {
    const cases: Array<[string, RegExp]> = [
      ['{not json', /RATE_LIMITS: not valid JSON/],
      ['{"defaults": {"put": 3}}', /'defaults.put' is not a request class/],
      ['{"defaults": {"post": 0}}', /'defaults.post' must be a whole number/],
      ['{"window_seconds": -1}', /'window_seconds' must be a number above 0/],
      ['{"projects": {"a": "fast"}}', /'projects.a' must be "openai", "off" or an object/],
      ['{"limits": {}}', /unknown field 'limits'/],
      ['/no/such/file.json', /RATE_LIMITS: ENOENT/],
    ];
    for (const [raw, message] of cases) {
      assert.throws(
        () => loadConfig({ RATE_LIMITS: raw }),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });
});

test('durations are written as OpenAI writes x-ratelimit-reset-requests', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(17), '17ms');
  assert.equal(formatDuration(1000), '1s');
  assert.equal(formatDuration(8640), '8.64s');
  assert.equal(formatDuration(360_000), '6m0s');
  assert.equal(formatDuration(3_723_500), '1h2m3.5s');
});

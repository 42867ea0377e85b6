import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  type ChatModel,
  type ChatRequest,
  createOpenAICompatibleChatModel,
  ProviderError,
  type RetryOptions,
  streamWithRetry,
} from '../src/providers/index.js';
import {
  ControlledResponse,
  collectParts,
  type ScriptedUpstream,
  startScriptedUpstream,
  textOf,
} from './upstream/index.js';

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Say hello' }] };
const quickRetries: RetryOptions = { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 20 };

type ExpectedError = { [Key in keyof ProviderError]?: ProviderError[Key] | RegExp };

function assertProviderError(error: unknown, expected: ExpectedError): true {
  assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
  for (const [key, value] of Object.entries(expected)) {
    if (value instanceof RegExp) assert.match(String(error[key as keyof ProviderError]), value);
    else assert.equal(error[key as keyof ProviderError], value, key);
  }
  return true;
}

describe('provider errors, retries and cancellation', () => {
  let upstream: ScriptedUpstream;
  let model: ChatModel;
  before(async () => {
    upstream = await startScriptedUpstream();
    model = createOpenAICompatibleChatModel({ baseURL: upstream.baseURL, apiKey: 'sk-bad', modelId: 'gpt-4o-mini' });
  });
  beforeEach(() => upstream.reset());
  after(() => upstream.close());

  test('401 is authentication_failed, not retried, with the upstream message', async () => {
    upstream.script({
      error: {
        status: 401,
        message: 'Incorrect API key provided: sk-bad.',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    });
    await assert.rejects(
      collectParts(streamWithRetry(model, hello, new AbortController().signal, quickRetries)),
      (error) =>
        assertProviderError(error, {
          code: 'authentication_failed',
          status: 401,
          retryable: false,
          message: 'Upstream model provider returned 401: Incorrect API key provided: sk-bad.',
        }),
    );
    assert.equal(upstream.requests.length, 1);
  });

  test('400 is invalid_prompt and not retried', async () => {
    upstream.script({
      error: { status: 400, message: "Invalid 'messages[0].content'", type: 'invalid_request_error' },
    });
    await assert.rejects(
      collectParts(streamWithRetry(model, hello, new AbortController().signal, quickRetries)),
      (error) => assertProviderError(error, { code: 'invalid_prompt', status: 400, retryable: false }),
    );
    assert.equal(upstream.requests.length, 1);
  });

  test('429 (with retry-after) and 500 are retried, then the stream succeeds', async () => {
    const retries: Array<[string, number, number]> = [];
    upstream.script(
      {
        error: {
          status: 429,
          message: 'Rate limit reached',
          type: 'requests',
          code: 'rate_limit_exceeded',
          retryAfter: 0,
        },
      },
      { error: { status: 500, message: 'The server had an error' } },
      { text: 'third time lucky' },
    );
    const parts = await collectParts(
      streamWithRetry(model, hello, new AbortController().signal, {
        ...quickRetries,
        onRetry: (error, attempt, delayMs) => retries.push([error.code, attempt, delayMs]),
      }),
    );
    assert.equal(textOf(parts), 'third time lucky');
    assert.equal(upstream.requests.length, 3);
    assert.deepEqual(retries, [
      ['rate_limit_exceeded', 1, 0],
      ['server_error', 2, 2],
    ]);
  });

  test('when retries run out the last error propagates with its code', async () => {
    upstream.script(...Array.from({ length: 3 }, () => ({ error: { status: 503, message: 'Overloaded' } })));
    await assert.rejects(
      collectParts(streamWithRetry(model, hello, new AbortController().signal, { ...quickRetries, maxRetries: 2 })),
      (error) =>
        assertProviderError(error, {
          code: 'server_error',
          status: 503,
          retryable: true,
          message: /returned 503: Overloaded/,
        }),
    );
    assert.equal(upstream.requests.length, 3);
  });

  test('a retry-after longer than the allowed delay is not waited for', async () => {
    upstream.script({ error: { status: 429, message: 'Slow down', retryAfter: 60 } });
    await assert.rejects(
      collectParts(streamWithRetry(model, hello, new AbortController().signal, quickRetries)),
      (error) => assertProviderError(error, { code: 'rate_limit_exceeded', retryAfterMs: 60_000 }),
    );
    assert.equal(upstream.requests.length, 1);
  });

  test('an error after the first part has been yielded is not retried', async () => {
    const control = new ControlledResponse();
    upstream.script({ controlled: control }, { text: 'must not be used' });
    control.text('Hel');
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const part of streamWithRetry(model, hello, new AbortController().signal, quickRetries)) {
          if (part.type === 'text-delta') received.push(part.text);
          control.dropConnection();
        }
      })(),
      (error) => assertProviderError(error, { code: 'server_error', retryable: true, message: /lost mid-response/ }),
    );
    assert.deepEqual(received, ['Hel']);
    assert.equal(upstream.requests.length, 1);
  });

  test('aborting mid-stream rejects with the abort reason and the upstream sees the disconnect', async () => {
    const control = new ControlledResponse();
    upstream.script({ controlled: control });
    control.text('first');
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const part of streamWithRetry(model, hello, controller.signal, quickRetries)) {
          if (part.type === 'text-delta') received.push(part.text);
          controller.abort(reason);
        }
      })(),
      (error) => error === reason,
    );
    assert.deepEqual(received, ['first']);
    await upstream.requests[0]?.done;
    assert.equal(upstream.requests[0]?.clientDisconnected, true);
    assert.equal(upstream.requests.length, 1);
  });

  test('aborting while waiting for the first part also disconnects from the upstream', async () => {
    upstream.script({ hang: true });
    const controller = new AbortController();
    const stream = collectParts(model.stream(hello, controller.signal));
    await upstream.waitForRequests(1);
    controller.abort();
    await assert.rejects(stream, { name: 'AbortError' });
    await upstream.requests[0]?.done;
    assert.equal(upstream.requests[0]?.clientDisconnected, true);
  });

  test('an upstream that says nothing hits the first-part timeout and is disconnected', async () => {
    upstream.script({ hang: true });
    await assert.rejects(
      collectParts(
        streamWithRetry(model, hello, new AbortController().signal, {
          ...quickRetries,
          maxRetries: 0,
          firstPartTimeoutMs: 150,
        }),
      ),
      (error) =>
        assertProviderError(error, { code: 'timeout', retryable: true, message: /sent nothing within 150 ms/ }),
    );
    await upstream.requests[0]?.done;
    assert.equal(upstream.requests[0]?.clientDisconnected, true);
  });

  test('a timed-out attempt is retried like any retryable error', async () => {
    upstream.script({ hang: true }, { text: 'awake now' });
    const parts = await collectParts(
      // Generous, so the second (answering) attempt never trips it on a busy machine.
      streamWithRetry(model, hello, new AbortController().signal, { ...quickRetries, firstPartTimeoutMs: 1000 }),
    );
    assert.equal(textOf(parts), 'awake now');
    assert.equal(upstream.requests[0]?.clientDisconnected, true);
  });

  test('an unreachable upstream is a retryable server_error that says it could not connect', async () => {
    const closed = await startScriptedUpstream();
    await closed.close();
    const unreachable = createOpenAICompatibleChatModel({ baseURL: closed.baseURL, modelId: 'gpt-4o' });
    await assert.rejects(
      collectParts(
        streamWithRetry(unreachable, hello, new AbortController().signal, { ...quickRetries, maxRetries: 1 }),
      ),
      (error) =>
        assertProviderError(error, {
          code: 'server_error',
          retryable: true,
          // The message says which address failed and where it is set.
          message:
            /^Could not reach the upstream model provider: .+ \(http:\/\/127\.0\.0\.1:\d+ set by OPENAI_BASE_URL or MODELS_CONFIG\)$/,
        }),
    );
  });
});

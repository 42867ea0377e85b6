import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { validateAgainst } from './helpers/contract-fetch.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.stop();
  removeDataDir(server);
});

interface ErrorReply {
  status: number;
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Checks OpenAI's error shape: exactly `{error: {message, type, param, code}}`. */
function parseError(status: number, text: string): ErrorReply {
  const body = JSON.parse(text) as { error: ErrorReply['error'] };
  assert.deepEqual(validateAgainst('ErrorResponse', body), [], text);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  return { status, error: body.error };
}

/** A request whose path is sent byte for byte (fetch would normalise `%zz` or `..`). */
function rawPathRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<ErrorReply> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { hostname, port, method, path, headers: { authorization: 'Bearer k', ...headers } },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve(parseError(incoming.statusCode ?? 0, text)));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Bytes written straight to a socket, for requests Node's HTTP parser refuses; resolves with the raw response. */
function rawSocketRequest(bytes: string): Promise<ErrorReply & { head: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
      resolve({ ...parseError(status, body), head });
    });
  });
}

describe('errors raised before routing come in OpenAI’s shape', () => {
  test('a path that is not valid percent-encoding is a 400', async () => {
    const reply = await rawPathRequest('GET', '/v1/assistants/%zz');
    assert.equal(reply.status, 400);
    assert.equal(reply.error.code, 'invalid_url');
    assert.equal(reply.error.message, 'Invalid URL (GET /v1/assistants/%zz): the path is not valid percent-encoding.');
  });

  test('an id longer than 256 characters is a 414', async () => {
    const reply = await rawPathRequest('GET', `/v1/threads/${'t'.repeat(257)}/messages`);
    assert.equal(reply.status, 414);
    assert.equal(reply.error.code, 'uri_too_long');
    assert.equal(reply.error.message, 'Invalid URL: a path parameter is longer than 256 characters.');
    const fits = await rawPathRequest('GET', `/v1/threads/${'t'.repeat(256)}`);
    assert.equal(fits.status, 404);
  });

  test('unknown routes and methods are 404s naming the method and path', async () => {
    for (const [method, path] of [
      ['GET', '/v1/whatever?x=1'],
      ['PUT', '/v1/assistants'],
      ['PATCH', '/v1/threads/thread_x'],
      ['GET', '/v1/assistants/a/b/c'],
      ['GET', '/v2/assistants'],
    ] as const) {
      const reply = await rawPathRequest(method, path);
      assert.equal(reply.status, 404, `${method} ${path}`);
      assert.equal(reply.error.message, `Invalid URL (${method} ${path.split('?')[0]})`);
    }
  });

  test('a JSON body sent to an upload endpoint is a 415', async () => {
    const response = await fetch(`${server.baseURL}/files`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: '{"purpose":"assistants"}',
    });
    const reply = parseError(response.status, await response.text());
    assert.equal(reply.status, 415);
    assert.match(reply.error.message, /This endpoint expects multipart\/form-data/);
  });
});

describe('requests Node’s HTTP parser refuses come in OpenAI’s shape', () => {
  test('headers over 16 KB are a 431', async () => {
    const reply = await rawSocketRequest(
      `GET /v1/assistants HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.equal(reply.status, 431);
    assert.match(reply.head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(reply.head, /\r\nContent-Type: application\/json\r\n/);
    assert.equal(reply.error.code, 'headers_too_large');
    assert.equal(
      reply.error.message,
      'The request headers are too large: the request line and headers may be at most 16384 bytes.',
    );
  });

  test('a request line over 16 KB is a 414', async () => {
    const reply = await rawSocketRequest(`GET /v1/assistants?after=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(reply.status, 414);
    assert.equal(reply.error.code, 'uri_too_long');
    assert.match(reply.error.message, /^The request URL is too long/);
  });

  test('bytes that are not HTTP are a 400', async () => {
    for (const bytes of [
      'FOO / HTTP/1.1\r\nHost: x\r\n\r\n',
      '\u0000\u0001 garbage\r\n\r\n',
      'GET /health HTTP/1.1\r\nBad Header: x\r\n\r\n',
    ]) {
      const reply = await rawSocketRequest(bytes);
      assert.equal(reply.status, 400, JSON.stringify(bytes));
      assert.equal(reply.error.code, 'invalid_http_request');
    }
  });

  test('the server stays healthy after all of that', async () => {
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
  });
});

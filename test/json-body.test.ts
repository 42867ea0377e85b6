import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sdkClient } from './helpers/client.js';
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

async function post(path: string, body: string | Uint8Array) {
  const response = await fetch(`${server.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body,
  });
  const json = (await response.json()) as { error: { message: string; param: string | null; code: string | null } };
  return { status: response.status, json };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? utf8(part) : Uint8Array.from(part))));

describe('a JSON body must be UTF-8', () => {
  const invalid: Array<[string, Buffer]> = [
    ['a stray continuation byte', bytes('{"metadata":{"k":"', [0x80], '"}}')],
    ['bytes that never occur in UTF-8', bytes('{"metadata":{"k":"', [0xff, 0xfe], '"}}')],
    ['an overlong encoding of "/"', bytes('{"metadata":{"k":"', [0xc0, 0xaf], '"}}')],
    ['a UTF-16 surrogate encoded as UTF-8 (CESU)', bytes('{"metadata":{"k":"', [0xed, 0xa0, 0x80], '"}}')],
    ['a truncated sequence', bytes('{"metadata":{"k":"', [0xe2, 0x82], '"}}')],
    ['Latin-1 text', bytes('{"metadata":{"k":"caf', [0xe9], '"}}')],
  ];
  for (const [name, body] of invalid) {
    test(`${name} is a 400, and nothing is stored`, async () => {
      const before = (await sdkClient(server).beta.assistants.list()).data.length;
      const { status, json } = await post(
        '/assistants',
        Buffer.concat([bytes('{"model":"gpt-4o",'), body.subarray(1)]),
      );
      assert.equal(status, 400);
      assert.deepEqual(validateAgainst('ErrorResponse', json), []);
      assert.equal(json.error.code, 'invalid_json');
      assert.match(json.error.message, /^We could not parse the JSON body of your request: it is not valid UTF-8\./);
      assert.equal((await sdkClient(server).beta.assistants.list()).data.length, before);
    });
  }

  test('valid UTF-8 (emoji, a byte-order mark, escaped lone surrogates) is accepted and kept', async () => {
    const emoji = await post('/threads', bytes('{"metadata":{"k":"😀 ü ∑"}}'));
    assert.equal(emoji.status, 200);
    assert.deepEqual((emoji.json as unknown as { metadata: object }).metadata, { k: '😀 ü ∑' });
    const bom = await post('/threads', bytes([0xef, 0xbb, 0xbf], '{}'));
    assert.equal(bom.status, 200);
    const surrogate = await post('/threads', '{"metadata":{"k":"\\ud800"}}');
    assert.equal(surrogate.status, 200);
  });
});

describe('JSON nesting is limited to 128 levels', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  /** Function parameters `levels` deep: the body's own envelope adds 5 levels around them. */
  const toolBody = (levels: number) =>
    `{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"f","parameters":{"a":${nested(levels)}}}}]}`;

  test('a body 100,000 levels deep is a 400, not a crash', async () => {
    const { status, json } = await post('/assistants', toolBody(100_000));
    assert.equal(status, 400);
    assert.equal(json.error.code, 'invalid_json');
    assert.equal(
      json.error.message,
      'We could not parse the JSON body of your request: its arrays and objects are nested more than 128 levels deep.',
    );
  });

  test('128 levels are accepted, 129 are not', async () => {
    assert.equal((await post('/assistants', toolBody(128 - 5))).status, 200);
    assert.equal((await post('/assistants', toolBody(129 - 5))).status, 400);
  });

  test('brackets inside strings do not count', async () => {
    const { status } = await post('/threads', JSON.stringify({ metadata: { k: '['.repeat(500) } }));
    assert.equal(status, 200);
  });

  test('the server stays healthy after all of that', async () => {
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });
});

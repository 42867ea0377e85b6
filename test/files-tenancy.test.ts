import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { listBlobs, rejectsWith } from './helpers/file-fixtures.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let projectA: OpenAI;
let projectB: OpenAI;

before(async () => {
  server = await startTestServer({ env: { API_KEYS: 'key-a=proj-a,key-b=proj-b' } });
  projectA = sdkClient(server, 'key-a');
  projectB = sdkClient(server, 'key-b');
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
});

describe('files across projects and keys', () => {
  test('a file of project A is a 404 for project B on retrieve, content and delete', async () => {
    const file = await projectA.files.create({
      file: await toFile(Buffer.from('secret of A'), 'a.txt'),
      purpose: 'assistants',
    });
    await rejectsWith(projectB.files.retrieve(file.id), { status: 404 });
    await rejectsWith(projectB.files.content(file.id), { status: 404 });
    await rejectsWith(projectB.files.delete(file.id), { status: 404 });
    // B's failed delete left A's file alone.
    assert.equal(await (await projectA.files.content(file.id)).text(), 'secret of A');
  });

  test('a file of project A never appears in project B’s list', async () => {
    const file = await projectA.files.create({
      file: await toFile(Buffer.from('a'), 'listed.txt'),
      purpose: 'assistants',
    });
    const own = await projectB.files.create({ file: await toFile(Buffer.from('b'), 'own.txt'), purpose: 'assistants' });
    const listOfB = await projectB.files.list();
    assert.deepEqual(
      listOfB.data.map((entry) => entry.id),
      [own.id],
    );
    assert.deepEqual(
      (await projectB.files.list({ purpose: 'assistants' })).data.map((entry) => entry.id),
      [own.id],
    );
    assert.ok((await projectA.files.list()).data.some((entry) => entry.id === file.id));
    // Another project's id is not a valid cursor either.
    await rejectsWith(projectB.files.list({ after: file.id }), { status: 400, param: 'after' });
  });

  test('an unknown API key is a 401 AuthenticationError', async () => {
    const stranger = sdkClient(server, 'key-unknown');
    const error = await rejectsWith(stranger.files.list(), { status: 401, code: 'invalid_api_key' });
    assert.ok(error instanceof OpenAI.AuthenticationError);
    // OpenAI answers a wrong key with type invalid_request_error and code invalid_api_key.
    assert.equal(error.type, 'invalid_request_error');
    await rejectsWith(stranger.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'assistants' }), {
      status: 401,
    });
  });

  test('a request without an API key is a 401', async () => {
    for (const [method, path] of [
      ['GET', '/files'],
      ['POST', '/files'],
      ['GET', '/files/file-abc'],
      ['GET', '/files/file-abc/content'],
      ['DELETE', '/files/file-abc'],
    ] as const) {
      const response = await fetch(`${server.baseURL}${path}`, { method });
      assert.equal(response.status, 401, `${method} ${path}`);
      const { error } = (await response.json()) as { error: { message: string } };
      assert.match(error.message, /API key/);
    }
  });

  test('an upload rejected for a bad key stores nothing', async () => {
    const blobsBefore = listBlobs(server.dataDir);
    const stranger = sdkClient(server, 'key-unknown');
    await rejectsWith(
      stranger.files.create({ file: await toFile(Buffer.alloc(10_000, 1), 'x.bin'), purpose: 'assistants' }),
      { status: 401 },
    );
    assert.deepEqual(listBlobs(server.dataDir), blobsBefore);
  });
});

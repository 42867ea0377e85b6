import assert from 'node:assert/strict';
import http from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { listBlobs, rejectsWith } from './helpers/file-fixtures.js';
import { pollUntil } from './helpers/poll.js';
import { testBackend } from './helpers/test-backend.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

type CreateParams = Parameters<OpenAI['files']['create']>[0];

/** Small enough that a 5,000-byte upload is over the limit. */
const MAX_FILE_BYTES = 1000;

let server: TestServer;
let client: OpenAI;
/**
 * The server of the disconnect tests, which wait for the upload's partial file on disk. A bucket shows nothing
 * before a whole part (8 MiB) is sent, so in the PostgreSQL + S3 pass they run on a second server with the disk
 * store (on PostgreSQL still); the S3 store's own disconnect test is in files-s3.test.ts.
 */
let diskServer: TestServer;

before(async () => {
  const env = { MAX_FILE_BYTES: String(MAX_FILE_BYTES) };
  server = await startTestServer({ env });
  client = sdkClient(server);
  diskServer = testBackend() === 'postgres' ? await startTestServer({ env: { ...env, BLOB_STORE: 'disk' } }) : server;
});

after(async () => {
  for (const each of new Set([server, diskServer])) {
    await each?.stop();
    if (each) removeDataDir(each);
  }
});

// No test in this file creates a file, so any stored bytes are a leak from an error path.
afterEach(async () => {
  const leftovers = () => [...new Set([server.dataDir, diskServer.dataDir])].flatMap((dir) => listBlobs(dir));
  await pollUntil(() => leftovers().length === 0, {
    what: () => `no blobs left behind, found ${leftovers().join(', ')}`,
  });
});

function smallFile(name = 'small.txt') {
  return toFile(Buffer.from('small content'), name);
}

function postFiles(body: string, contentType: string): Promise<Response> {
  return fetch(`${server.baseURL}/files`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-key', 'content-type': contentType },
    body,
  });
}

describe('file upload validation', () => {
  test('a form without a file is a 400 naming file', async () => {
    await rejectsWith(client.files.create({ purpose: 'assistants' } as unknown as CreateParams), {
      status: 400,
      param: 'file',
      code: 'missing_required_parameter',
    });
  });

  test('a form without a purpose is a 400 naming purpose', async () => {
    await rejectsWith(client.files.create({ file: await smallFile() } as unknown as CreateParams), {
      status: 400,
      param: 'purpose',
      code: 'missing_required_parameter',
    });
  });

  test('an unsupported purpose is a 400 naming purpose and listing the supported ones', async () => {
    await rejectsWith(
      client.files.create({ file: await smallFile(), purpose: 'homework' } as unknown as CreateParams),
      {
        status: 400,
        param: 'purpose',
        code: 'invalid_value',
        message: "'assistants'",
      },
    );
  });

  test('an unknown form field is a 400 naming the field', async () => {
    await rejectsWith(
      client.files.create({
        file: await smallFile(),
        purpose: 'assistants',
        colour: 'blue',
      } as unknown as CreateParams),
      {
        status: 400,
        param: 'colour',
        code: 'unknown_parameter',
      },
    );
  });

  test('a text field longer than 64 KB is a 400 naming it, not silently cut', async () => {
    await rejectsWith(
      client.files.create({ file: await smallFile(), purpose: 'a'.repeat(70_000) } as unknown as CreateParams),
      {
        status: 400,
        param: 'purpose',
      },
    );
  });

  test('a second file part is a 400', async () => {
    await rejectsWith(
      client.files.create({
        file: await smallFile(),
        purpose: 'assistants',
        extra: await smallFile('b.txt'),
      } as unknown as CreateParams),
      {
        status: 400,
      },
    );
  });

  test('the file sent as a text field is a 400 naming file', async () => {
    const form = new FormData();
    form.append('file', 'just text, no filename');
    form.append('purpose', 'assistants');
    const response = await fetch(`${server.baseURL}/files`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key' },
      body: form,
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { param: string } }).error.param, 'file');
  });

  test('a JSON body is a 415 that asks for multipart/form-data', async () => {
    const response = await postFiles(JSON.stringify({ purpose: 'assistants', file: 'abc' }), 'application/json');
    assert.equal(response.status, 415);
    const { error } = (await response.json()) as { error: { message: string; type: string; code: string } };
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.code, 'unsupported_content_type');
    assert.match(error.message, /multipart\/form-data/);
  });

  test('a multipart body cut off in the middle is a 400, not a 500', async () => {
    const body =
      '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhalf of the byt';
    const response = await postFiles(body, 'multipart/form-data; boundary=xyz');
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid_multipart');
  });

  test('a multipart content type without a boundary is a 400', async () => {
    const response = await postFiles('--xyz\r\n', 'multipart/form-data');
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid_multipart');
  });

  test('a valid expires_after is accepted at both bounds', async () => {
    for (const seconds of [3600, 2_592_000]) {
      const created = await client.files.create({
        file: await smallFile(),
        purpose: 'assistants',
        expires_after: { anchor: 'created_at', seconds },
      });
      assert.equal(created.expires_at, created.created_at + seconds);
      await client.files.delete(created.id);
    }
  });

  test('expires_after seconds outside 3600..2592000 is a 400 naming expires_after.seconds', async () => {
    for (const seconds of [3599, 2_592_001, 1.5]) {
      await rejectsWith(
        client.files.create({
          file: await smallFile(),
          purpose: 'assistants',
          expires_after: { anchor: 'created_at', seconds },
        }),
        {
          status: 400,
          param: 'expires_after.seconds',
        },
      );
    }
  });

  test('an expires_after anchor other than created_at is a 400 naming expires_after.anchor', async () => {
    const expiresAfter = { anchor: 'last_active_at', seconds: 3600 } as unknown as CreateParams['expires_after'];
    await rejectsWith(
      client.files.create({ file: await smallFile(), purpose: 'assistants', expires_after: expiresAfter }),
      {
        status: 400,
        param: 'expires_after.anchor',
      },
    );
  });

  test('a file over MAX_FILE_BYTES is a 413 and leaves no bytes behind', async () => {
    const error = await rejectsWith(
      client.files.create({ file: await toFile(Buffer.alloc(5000, 'x'), 'big.txt'), purpose: 'assistants' }),
      {
        status: 413,
        param: 'file',
        code: 'file_too_large',
        message: String(MAX_FILE_BYTES),
      },
    );
    assert.equal(error.type, 'invalid_request_error');
    assert.deepEqual(listBlobs(server.dataDir), []);
  });

  test('a file of exactly MAX_FILE_BYTES is accepted', async () => {
    const created = await client.files.create({
      file: await toFile(Buffer.alloc(MAX_FILE_BYTES, 'x'), 'edge.txt'),
      purpose: 'assistants',
    });
    assert.equal(created.bytes, MAX_FILE_BYTES);
    await client.files.delete(created.id);
  });

  for (const [sentBytes, when] of [
    [500, 'within'],
    [20_000, 'past'],
  ] as const) {
    test(`an upload whose client disconnects half-way ${when} the size limit leaves no bytes behind`, async () => {
      const request = http.request(`${diskServer.baseURL}/files`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer test-key',
          'content-type': 'multipart/form-data; boundary=xyz',
          'content-length': '100000',
        },
      });
      const closed = new Promise((resolve) => request.on('close', resolve));
      request.on('error', () => undefined);
      request.write('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n');
      request.write(Buffer.alloc(sentBytes, 'a'));
      // Wait until the server has started storing the bytes, then drop the connection (also when the wait fails:
      // a request left open would keep the server from stopping).
      try {
        await pollUntil(() => listBlobs(diskServer.dataDir).some((blob) => blob.endsWith('.partial')), {
          what: 'the upload to reach the blob store',
        });
      } finally {
        request.destroy();
        await closed;
      }
      // afterEach waits until the partial blob is gone.
    });
  }

  test('list limits outside 1..10000 are a 400 naming limit', async () => {
    await rejectsWith(client.files.list({ limit: 0 }), { status: 400, param: 'limit' });
    await rejectsWith(client.files.list({ limit: 10_001 }), { status: 400, param: 'limit' });
    assert.deepEqual((await client.files.list({ limit: 10_000 })).data, []);
  });

  test('an unknown list order is a 400 naming order', async () => {
    await rejectsWith(client.files.list({ order: 'sideways' as 'asc' }), { status: 400, param: 'order' });
  });

  test('an after cursor that is not a file of this project is a 400 naming after', async () => {
    await rejectsWith(client.files.list({ after: 'file-unknown' }), { status: 400, param: 'after' });
  });
});

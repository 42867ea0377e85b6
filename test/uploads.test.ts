import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { listBlobs, md5OfBuffer, rejectsWith } from './helpers/file-fixtures.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

const MAX_FILE_BYTES = 10_000_000;

let server: TestServer;
let client: OpenAI;
let otherProject: OpenAI;

before(async () => {
  server = await startTestServer({
    env: { API_KEYS: 'key-a=proj-a,key-b=proj-b', MAX_FILE_BYTES: String(MAX_FILE_BYTES) },
  });
  client = sdkClient(server, 'key-a');
  otherProject = sdkClient(server, 'key-b');
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
});

const PARTS = [Buffer.from('first part|'), Buffer.from('second part|'), Buffer.from('third part')];
const TOTAL_BYTES = PARTS.reduce((sum, part) => sum + part.length, 0);

/** A pending upload with the three PARTS added in order; returns it and their part ids. */
async function uploadWithParts(filename = 'assembled.txt', mimeType = 'text/plain') {
  const upload = await client.uploads.create({
    bytes: TOTAL_BYTES,
    filename,
    mime_type: mimeType,
    purpose: 'assistants',
  });
  const partIds: string[] = [];
  for (const [index, bytes] of PARTS.entries()) {
    partIds.push((await client.uploads.parts.create(upload.id, { data: await toFile(bytes, `part-${index}`) })).id);
  }
  return { upload, partIds };
}

function partBlobsOf(uploadId: string): string[] {
  return listBlobs(server.dataDir).filter((blob) => blob.startsWith(`parts/${uploadId}/`));
}

describe('uploads', () => {
  test('a new upload is pending, expires in an hour and has no file yet', async () => {
    const upload = await client.uploads.create({
      bytes: 10,
      filename: 'new.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
    });
    assert.match(upload.id, /^upload_/);
    assert.equal(upload.object, 'upload');
    assert.equal(upload.status, 'pending');
    assert.equal(upload.bytes, 10);
    assert.equal(upload.filename, 'new.txt');
    assert.equal(upload.purpose, 'assistants');
    assert.equal(upload.expires_at, upload.created_at + 3600);
    assert.equal(upload.file, null);
  });

  test('parts are added and answered as upload.part objects', async () => {
    const upload = await client.uploads.create({
      bytes: 3,
      filename: 'p.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
    });
    const part = await client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('abc'), 'chunk') });
    assert.match(part.id, /^part_/);
    assert.equal(part.object, 'upload.part');
    assert.equal(part.upload_id, upload.id);
    assert.equal(partBlobsOf(upload.id).length, 1);
  });

  test('completing assembles the parts in part_ids order into a downloadable file', async () => {
    const { upload, partIds } = await uploadWithParts('reordered.txt');
    const order = [2, 0, 1];
    const expected = Buffer.concat(order.map((index) => PARTS[index]!));
    const completed = await client.uploads.complete(upload.id, {
      part_ids: order.map((index) => partIds[index]!),
      md5: md5OfBuffer(expected),
    });
    assert.equal(completed.id, upload.id);
    assert.equal(completed.status, 'completed');
    const file = completed.file!;
    assert.match(file.id, /^file-/);
    assert.equal(file.object, 'file');
    assert.equal(file.bytes, TOTAL_BYTES);
    assert.equal(file.filename, 'reordered.txt');
    assert.equal(file.purpose, 'assistants');
    assert.deepEqual(await client.files.retrieve(file.id), file);
    const response = await client.files.content(file.id);
    assert.equal(response.headers.get('content-type'), 'text/plain');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), expected);
    assert.deepEqual(partBlobsOf(upload.id), [], 'the parts are deleted once assembled');
  });

  test('completing without md5 works, and the declared mime type is served', async () => {
    const { upload, partIds } = await uploadWithParts('data.bin', 'application/x-custom');
    const completed = await client.uploads.complete(upload.id, { part_ids: partIds });
    const response = await client.files.content(completed.file!.id);
    assert.equal(response.headers.get('content-type'), 'application/x-custom');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.concat(PARTS));
  });

  test('expires_after on the upload sets expires_at on its file', async () => {
    const upload = await client.uploads.create({
      bytes: 3,
      filename: 'e.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
      expires_after: { anchor: 'created_at', seconds: 86_400 },
    });
    const part = await client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('exp'), 'chunk') });
    const { file } = await client.uploads.complete(upload.id, { part_ids: [part.id] });
    assert.equal(file!.expires_at, file!.created_at + 86_400);
  });

  test('a wrong md5 is a 400 and the upload stays pending', async () => {
    const { upload, partIds } = await uploadWithParts();
    await rejectsWith(
      client.uploads.complete(upload.id, { part_ids: partIds, md5: md5OfBuffer(Buffer.from('something else')) }),
      {
        status: 400,
        param: 'md5',
      },
    );
    const filesBefore = (await client.files.list()).data.length;
    const completed = await client.uploads.complete(upload.id, {
      part_ids: partIds,
      md5: md5OfBuffer(Buffer.concat(PARTS)),
    });
    assert.equal(completed.status, 'completed');
    assert.equal((await client.files.list()).data.length, filesBefore + 1, 'the failed attempt created no file');
  });

  test('parts that do not add up to bytes are a 400', async () => {
    const { upload, partIds } = await uploadWithParts();
    await rejectsWith(client.uploads.complete(upload.id, { part_ids: partIds.slice(0, 2) }), {
      status: 400,
      param: 'part_ids',
    });
    await rejectsWith(client.uploads.complete(upload.id, { part_ids: [] }), { status: 400, param: 'part_ids' });
  });

  test('an unknown or repeated part id is a 400 naming its position', async () => {
    const { upload, partIds } = await uploadWithParts();
    await rejectsWith(client.uploads.complete(upload.id, { part_ids: ['part_unknown', ...partIds] }), {
      status: 400,
      param: 'part_ids[0]',
    });
    await rejectsWith(client.uploads.complete(upload.id, { part_ids: [partIds[0]!, partIds[0]!] }), {
      status: 400,
      param: 'part_ids[1]',
    });
  });

  test('a part of another upload cannot be used', async () => {
    const first = await uploadWithParts();
    const second = await uploadWithParts();
    await rejectsWith(client.uploads.complete(second.upload.id, { part_ids: first.partIds }), {
      status: 400,
      param: 'part_ids[0]',
    });
  });

  test('a cancelled upload takes no more parts and cannot be completed', async () => {
    const { upload, partIds } = await uploadWithParts();
    const cancelled = await client.uploads.cancel(upload.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.file, null);
    assert.deepEqual(partBlobsOf(upload.id), [], 'cancelling deletes the parts');
    await rejectsWith(client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('late'), 'late') }), {
      status: 400,
    });
    assert.deepEqual(partBlobsOf(upload.id), [], 'a rejected part leaves no bytes');
    await rejectsWith(client.uploads.complete(upload.id, { part_ids: partIds }), { status: 400 });
    await rejectsWith(client.uploads.cancel(upload.id), { status: 400 });
  });

  test('a completed upload takes no more parts and cannot be completed or cancelled again', async () => {
    const { upload, partIds } = await uploadWithParts();
    await client.uploads.complete(upload.id, { part_ids: partIds });
    await rejectsWith(client.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('late'), 'late') }), {
      status: 400,
    });
    await rejectsWith(client.uploads.complete(upload.id, { part_ids: partIds }), { status: 400 });
    await rejectsWith(client.uploads.cancel(upload.id), { status: 400 });
  });

  test('two completes racing make exactly one file', async () => {
    const { upload, partIds } = await uploadWithParts();
    const filesBefore = (await client.files.list()).data.length;
    const results = await Promise.allSettled([
      client.uploads.complete(upload.id, { part_ids: partIds }),
      client.uploads.complete(upload.id, { part_ids: partIds }),
    ]);
    const completed = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result) => result.status === 'rejected');
    assert.equal(completed.length, 1);
    assert.equal(rejected.length, 1);
    await rejectsWith(Promise.reject(rejected[0]!.reason), { status: 400 });
    const files = (await client.files.list()).data;
    assert.equal(files.length, filesBefore + 1);
    // Every stored blob belongs to a file or a still-pending upload's part: nothing orphaned.
    const fileBlobs = listBlobs(server.dataDir).filter((blob) => blob.startsWith('files/'));
    assert.equal(fileBlobs.length, files.length);
  });

  test('uploads of another project are a 404', async () => {
    const { upload, partIds } = await uploadWithParts();
    await rejectsWith(
      otherProject.uploads.parts.create(upload.id, { data: await toFile(Buffer.alloc(100_000, 1), 'sneaky') }),
      {
        status: 404,
      },
    );
    await rejectsWith(otherProject.uploads.complete(upload.id, { part_ids: partIds }), { status: 404 });
    await rejectsWith(otherProject.uploads.cancel(upload.id), { status: 404 });
    assert.equal(partBlobsOf(upload.id).length, PARTS.length, 'the other project added nothing');
    assert.equal((await client.uploads.complete(upload.id, { part_ids: partIds })).status, 'completed');
  });

  test('an unknown upload id is a 404', async () => {
    await rejectsWith(client.uploads.parts.create('upload_nope', { data: await toFile(Buffer.from('x'), 'x') }), {
      status: 404,
    });
    await rejectsWith(client.uploads.complete('upload_nope', { part_ids: [] }), { status: 404 });
    await rejectsWith(client.uploads.cancel('upload_nope'), { status: 404 });
  });

  test('bytes above the maximum file size is a 400 naming bytes', async () => {
    await rejectsWith(
      client.uploads.create({
        bytes: MAX_FILE_BYTES + 1,
        filename: 'huge.bin',
        mime_type: 'application/octet-stream',
        purpose: 'assistants',
      }),
      {
        status: 400,
        param: 'bytes',
      },
    );
    await rejectsWith(
      client.uploads.create({
        bytes: -1,
        filename: 'neg.bin',
        mime_type: 'application/octet-stream',
        purpose: 'assistants',
      }),
      {
        status: 400,
        param: 'bytes',
      },
    );
  });

  test('a malformed mime_type or purpose is a 400 naming it', async () => {
    await rejectsWith(
      client.uploads.create({
        bytes: 1,
        filename: 'a.txt',
        mime_type: 'text/plain\r\nx-evil: 1',
        purpose: 'assistants',
      }),
      {
        status: 400,
        param: 'mime_type',
      },
    );
    await rejectsWith(
      client.uploads.create({
        bytes: 1,
        filename: 'a.txt',
        mime_type: 'text/plain',
        purpose: 'homework' as 'assistants',
      }),
      {
        status: 400,
        param: 'purpose',
      },
    );
  });

  test('a part sent as a text field or with an unknown field is a 400', async () => {
    const upload = await client.uploads.create({
      bytes: 3,
      filename: 'f.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
    });
    const form = new FormData();
    form.append('data', 'not a file');
    const response = await fetch(`${server.baseURL}/uploads/${upload.id}/parts`, {
      method: 'POST',
      headers: { authorization: 'Bearer key-a' },
      body: form,
    });
    assert.equal(response.status, 400);
    const params = { data: await toFile(Buffer.from('abc'), 'chunk'), colour: 'blue' } as unknown as { data: File };
    await rejectsWith(client.uploads.parts.create(upload.id, params), { status: 400, param: 'colour' });
    assert.deepEqual(partBlobsOf(upload.id), []);
  });
});

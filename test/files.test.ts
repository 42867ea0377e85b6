import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { sdkClient } from './helpers/client.js';
import { listBlobs, rejectsWith } from './helpers/file-fixtures.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

// Each test works in its own project (its own key), so lists only show that test's files.
const PROJECTS = ['basics', 'types', 'purpose', 'pages', 'delete', 'empty'] as const;

let server: TestServer;
let fixtures: string;
const clients = {} as Record<(typeof PROJECTS)[number], OpenAI>;

before(async () => {
  server = await startTestServer({
    env: { API_KEYS: PROJECTS.map((project) => `key-${project}=${project}`).join(',') },
  });
  for (const project of PROJECTS) clients[project] = sdkClient(server, `key-${project}`);
  fixtures = mkdtempSync(path.join(tmpdir(), 'files-test-'));
});

after(async () => {
  await server?.stop();
  if (server) removeDataDir(server);
  if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

function fixture(name: string, content: string | Buffer): string {
  const filePath = path.join(fixtures, name);
  writeFileSync(filePath, content);
  return filePath;
}

async function download(client: OpenAI, id: string): Promise<{ body: Buffer; contentType: string | null }> {
  const response = await client.files.content(id);
  return { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

describe('files', () => {
  test('a file uploaded from disk is stored with its name, size and purpose', async () => {
    const client = clients.basics;
    const content = JSON.stringify({ greeting: 'hello', list: [1, 2, 3] });
    const created = await client.files.create({
      file: createReadStream(fixture('data.json', content)),
      purpose: 'assistants',
    });
    assert.match(created.id, /^file-[A-Za-z0-9]{24}$/);
    assert.equal(created.object, 'file');
    assert.equal(created.filename, 'data.json');
    assert.equal(created.bytes, Buffer.byteLength(content));
    assert.equal(created.purpose, 'assistants');
    assert.equal(created.status, 'processed');
    assert.ok(Math.abs(created.created_at - Date.now() / 1000) < 60);
    assert.equal(created.expires_at, undefined);
    assert.deepEqual(await client.files.retrieve(created.id), created);
  });

  test('the content of a file is the bytes that were uploaded', async () => {
    const client = clients.basics;
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 31) % 256));
    const created = await client.files.create({ file: await toFile(bytes, 'binary.bin'), purpose: 'user_data' });
    const { body, contentType } = await download(client, created.id);
    assert.deepEqual(body, bytes);
    assert.equal(contentType, 'application/octet-stream');
  });

  test('downloads carry a content type from the file name unless the uploader declared one', async () => {
    const client = clients.types;
    const json = await client.files.create({
      file: createReadStream(fixture('config.json', '{"a":1}')),
      purpose: 'assistants',
    });
    const text = await client.files.create({
      file: createReadStream(fixture('notes.txt', 'plain words')),
      purpose: 'assistants',
    });
    const declared = await client.files.create({
      file: await toFile(Buffer.from('# Title'), 'readme.unknownext', { type: 'text/markdown' }),
      purpose: 'assistants',
    });
    assert.equal((await download(client, json.id)).contentType, 'application/json');
    assert.equal((await download(client, text.id)).contentType, 'text/plain');
    assert.equal((await download(client, declared.id)).contentType, 'text/markdown');
    const response = await client.files.content(text.id);
    assert.equal(response.headers.get('content-disposition'), "attachment; filename*=UTF-8''notes.txt");
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await response.text(), 'plain words');
  });

  test('a file name with spaces and non-ASCII characters survives the round trip', async () => {
    const client = clients.types;
    const created = await client.files.create({
      file: await toFile(Buffer.from('ü'), 'Résumé final.txt'),
      purpose: 'assistants',
    });
    assert.equal(created.filename, 'Résumé final.txt');
    const response = await client.files.content(created.id);
    assert.equal(
      response.headers.get('content-disposition'),
      `attachment; filename*=UTF-8''${encodeURIComponent('Résumé final.txt')}`,
    );
    assert.equal(await response.text(), 'ü');
  });

  test('expires_after sets expires_at relative to created_at', async () => {
    const created = await clients.basics.files.create({
      file: await toFile(Buffer.from('temporary'), 'temp.txt'),
      purpose: 'assistants',
      expires_after: { anchor: 'created_at', seconds: 7200 },
    });
    assert.equal(created.expires_at, created.created_at + 7200);
    assert.equal((await clients.basics.files.retrieve(created.id)).expires_at, created.created_at + 7200);
  });

  test('the purpose filter lists only files of that purpose', async () => {
    const client = clients.purpose;
    const forAssistants = await client.files.create({
      file: await toFile(Buffer.from('a'), 'a.txt'),
      purpose: 'assistants',
    });
    const forVision = await client.files.create({ file: await toFile(Buffer.from('v'), 'v.png'), purpose: 'vision' });
    const forUsers = await client.files.create({ file: await toFile(Buffer.from('u'), 'u.txt'), purpose: 'user_data' });
    assert.deepEqual(
      (await client.files.list({ purpose: 'vision' })).data.map((file) => file.id),
      [forVision.id],
    );
    assert.deepEqual(
      (await client.files.list({ purpose: 'assistants' })).data.map((file) => file.id),
      [forAssistants.id],
    );
    assert.deepEqual(
      (await client.files.list()).data.map((file) => file.id),
      [forUsers.id, forVision.id, forAssistants.id],
    );
    const none = await client.files.list({ purpose: 'batch' });
    assert.deepEqual(none.data, []);
    assert.equal(none.has_more, false);
  });

  test('a project without files lists an empty page', async () => {
    const page = await clients.empty.files.list();
    assert.deepEqual(page.data, []);
    assert.equal(page.has_more, false);
    assert.equal(page.hasNextPage(), false);
  });

  test('pages follow limit and after in both orders', async () => {
    const client = clients.pages;
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push(
        (
          await client.files.create({
            file: await toFile(Buffer.from(`file ${index}`), `f${index}.txt`),
            purpose: 'assistants',
          })
        ).id,
      );
    }
    const firstAsc = await client.files.list({ limit: 2, order: 'asc' });
    assert.deepEqual(
      firstAsc.data.map((file) => file.id),
      ids.slice(0, 2),
    );
    assert.equal(firstAsc.has_more, true);
    const secondAsc = await client.files.list({ limit: 2, order: 'asc', after: ids[1] });
    assert.deepEqual(
      secondAsc.data.map((file) => file.id),
      ids.slice(2, 4),
    );
    const lastAsc = await client.files.list({ limit: 2, order: 'asc', after: ids[3] });
    assert.deepEqual(
      lastAsc.data.map((file) => file.id),
      [ids[4]],
    );
    assert.equal(lastAsc.has_more, false);

    const reversed = [...ids].reverse();
    const firstDesc = await client.files.list({ limit: 3 });
    assert.deepEqual(
      firstDesc.data.map((file) => file.id),
      reversed.slice(0, 3),
    );
    assert.equal(firstDesc.has_more, true);
    const secondDesc = await client.files.list({ limit: 3, after: reversed[2] });
    assert.deepEqual(
      secondDesc.data.map((file) => file.id),
      reversed.slice(3),
    );
    assert.equal(secondDesc.has_more, false);
  });

  test('listing after the last id gives an empty page', async () => {
    const client = clients.pages;
    const all = await client.files.list({ order: 'asc' });
    const page = await client.files.list({ order: 'asc', after: all.data.at(-1)!.id });
    assert.deepEqual(page.data, []);
    assert.equal(page.has_more, false);
  });

  test('the SDK auto-paginates through every file', async () => {
    const client = clients.pages;
    const all = await client.files.list({ order: 'asc' });
    const seen: string[] = [];
    for await (const file of client.files.list({ limit: 2, order: 'asc' })) seen.push(file.id);
    assert.deepEqual(
      seen,
      all.data.map((file) => file.id),
    );
    assert.equal(seen.length, 5);
  });

  test('deleting a file answers like OpenAI and removes it and its bytes', async () => {
    const client = clients.delete;
    const created = await client.files.create({
      file: await toFile(Buffer.from('bye'), 'bye.txt'),
      purpose: 'assistants',
    });
    const blobsBefore = listBlobs(server.dataDir);
    assert.deepEqual(await client.files.delete(created.id), { id: created.id, object: 'file', deleted: true });
    assert.equal(listBlobs(server.dataDir).length, blobsBefore.length - 1);
    assert.deepEqual((await client.files.list()).data, []);
    await rejectsWith(client.files.retrieve(created.id), { status: 404, message: created.id });
    await rejectsWith(client.files.content(created.id), { status: 404, message: created.id });
    await rejectsWith(client.files.delete(created.id), { status: 404, message: created.id });
  });

  test('an unknown file id is a 404 for retrieve, content and delete', async () => {
    const client = clients.delete;
    await rejectsWith(client.files.retrieve('file-nope'), { status: 404, message: 'file-nope' });
    await rejectsWith(client.files.content('file-nope'), { status: 404, message: 'file-nope' });
    await rejectsWith(client.files.delete('file-nope'), { status: 404, message: 'file-nope' });
  });
});

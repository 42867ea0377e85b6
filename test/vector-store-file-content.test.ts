import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { buildDocx, buildPdf } from './fixtures/file-search-documents.js';
import { buildPdfPages } from './fixtures/pdf-pages.js';
import { buildDocxBomb } from './fixtures/zip-bomb.js';
import { sdkClient } from './helpers/client.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { slowestHealthCheck } from './helpers/health-latency.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';
import { uploadFile } from './helpers/vector-store-helpers.js';

/**
 * `GET /v1/vector_stores/{id}/files/{file_id}/content` extracts the text in the ingestion processes, under
 * their time and memory limits and the configured caps (issue #9): the answer is the one it always was, a
 * hostile file costs one of those processes rather than the event loop, and a limit is a clear 400.
 * Keyword-only servers, so the provider plays no part.
 */

const MB = 1024 * 1024;

/**
 * A flat HTML page of `rows` short paragraphs. The HTML-to-text conversion is synchronous: 150,000 rows
 * (9 MB) held the server's event loop for about two seconds when it ran there.
 */
function flatHtml(rows: number): string {
  const body = Array.from(
    { length: rows },
    (_, index) => `<div><p>Row ${index} <b>bold</b> <a href="#">link</a></p></div>`,
  );
  return `<html><body>${body.join('')}</body></html>`;
}

/** Attaches a file to the store and waits for its ingestion to end, however it ends. */
async function attach(client: OpenAI, storeId: string, filename: string, content: string | Uint8Array) {
  const file = await uploadFile(client, filename, content);
  return client.vectorStores.files.createAndPoll(storeId, { file_id: file.id }, { pollIntervalMs: 50 });
}

async function contentText(client: OpenAI, storeId: string, fileId: string): Promise<string> {
  const page = await client.vectorStores.files.content(fileId, { vector_store_id: storeId });
  return page.data.map((part) => part.text).join('');
}

/** Requests a file's content while polling /health; the slowest health check and the request's outcome. */
async function contentWhileHealthPolled(server: TestServer, client: OpenAI, storeId: string, fileId: string) {
  const request = contentText(client, storeId, fileId);
  const slowestMs = await slowestHealthCheck(server.url, request);
  return { slowestMs, request };
}

const servers: TestServer[] = [];

async function serverWith(env: Record<string, string> = {}) {
  const server = await startTestServer({ env: { EMBEDDING_MODEL: 'none', ...env } });
  servers.push(server);
  const client = sdkClient(server);
  return { server, client, storeId: (await client.vectorStores.create({ name: 'content' })).id };
}

after(async () => {
  for (const server of servers) {
    await server.stop();
    removeDataDir(server);
  }
});

describe('with the default limits', () => {
  let server: TestServer;
  let client: OpenAI;
  let storeId: string;

  before(async () => {
    ({ server, client, storeId } = await serverWith());
  });

  test('the page is the same object as before: one text part, no more pages', async () => {
    const file = await attach(client, storeId, 'notes.md', '# Tides\n\nThe moon pulls the oceans twice a day.\n');
    const response = await fetch(`${server.baseURL}/vector_stores/${storeId}/files/${file.id}/content`, {
      headers: { authorization: 'Bearer test-key' },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      object: 'vector_store.file_content.page',
      data: [{ type: 'text', text: '# Tides\n\nThe moon pulls the oceans twice a day.\n' }],
      has_more: false,
      next_page: null,
    });
  });

  test('PDF, DOCX and HTML content is their extracted text', async () => {
    const pdf = await attach(client, storeId, 'lines.pdf', buildPdf(['Basalt cools fast.', 'Granite cools slowly.']));
    assert.match(await contentText(client, storeId, pdf.id), /Basalt cools fast\.[\s\S]*Granite cools slowly\./);
    const pages = await attach(client, storeId, 'pages.pdf', buildPdfPages(['Aardvarks dig.', 'Bonobos share.']));
    assert.equal(await contentText(client, storeId, pages.id), 'Aardvarks dig.\n\nBonobos share.');
    const docx = await attach(client, storeId, 'report.docx', buildDocx(['Quarterly report', 'Sales rose by 4%.']));
    assert.equal(await contentText(client, storeId, docx.id), 'Quarterly report\n\nSales rose by 4%.');
    const html = await attach(
      client,
      storeId,
      'page.html',
      '<html><body><h1>Dunes</h1><p>Sand moves.</p></body></html>',
    );
    assert.equal(await contentText(client, storeId, html.id), 'DUNES\n\nSand moves.');
  });

  test('a text of several million characters comes back whole, even where a piece ends inside a character', {
    timeout: 120_000,
  }, async () => {
    // The text travels in pieces of 1,048,576 characters: an emoji's two UTF-16 halves straddle the first
    // boundary, and multi-byte UTF-8 straddles the 64 KB reads.
    const text = `${'x'.repeat(1024 * 1024 - 1)}😀${'é'.repeat(70_000)}${'Fin. '.repeat(300_000)}`;
    const file = await uploadFile(client, 'long.txt', text);
    // The content endpoint reads a file whatever its ingestion status: no need to wait for it.
    await client.vectorStores.files.create(storeId, { file_id: file.id });
    const content = await contentText(client, storeId, file.id);
    assert.equal(content.length, text.length);
    assert.ok(content === text, 'the text differs from what was uploaded');
  });

  test('a large HTML page within the caps comes back whole while /health keeps answering at once', {
    timeout: 120_000,
  }, async () => {
    const file = await attach(client, storeId, 'flat.html', flatHtml(150_000));
    assert.equal(file.status, 'completed', JSON.stringify(file.last_error));
    const { slowestMs, request } = await contentWhileHealthPolled(server, client, storeId, file.id);
    const expected = Array.from({ length: 150_000 }, (_, index) => `Row ${index} bold link`).join('\n\n');
    assert.ok((await request) === expected, "the text is not the page's text");
    // Converted on the event loop, it held /health for about two seconds; 1 s is generous on a busy 2-core machine.
    assert.ok(slowestMs < 1_000, `GET /health took up to ${slowestMs.toFixed(0)} ms during the content request`);
  });

  test('an unreadable file is still the invalid_file 400 it was', async () => {
    const file = await attach(client, storeId, 'broken.pdf', new TextEncoder().encode('%PDF-1.4 this is not a PDF'));
    assert.equal(file.status, 'failed');
    await rejectsWith(client.vectorStores.files.content(file.id, { vector_store_id: storeId }), {
      status: 400,
      code: 'invalid_file',
      param: null,
      message: file.last_error?.message ?? '',
    });
  });
});

describe('with tight limits', () => {
  test('text beyond INGESTION_MAX_TEXT_CHARS is a 400 naming the cap, and /health keeps answering meanwhile', {
    timeout: 120_000,
  }, async () => {
    const { server, client, storeId } = await serverWith({ INGESTION_MAX_TEXT_CHARS: '1000000' });
    const file = await attach(client, storeId, 'flat.html', flatHtml(150_000));
    assert.equal(file.status, 'failed');
    const { slowestMs, request } = await contentWhileHealthPolled(server, client, storeId, file.id);
    await rejectsWith(request, {
      status: 400,
      code: 'invalid_file',
      param: null,
      message: /longer than this server's limit of 1,000,000 characters per file/,
    });
    assert.ok(slowestMs < 1_000, `GET /health took up to ${slowestMs.toFixed(0)} ms during the content request`);
    const small = await attach(client, storeId, 'small.txt', 'Still readable.');
    assert.equal(await contentText(client, storeId, small.id), 'Still readable.');
  });

  test('a file over the time limit is a 400 naming it; the server and the next file are fine', {
    timeout: 120_000,
  }, async () => {
    const { server, client, storeId } = await serverWith({ INGESTION_TASK_TIMEOUT_MS: '300' });
    const file = await attach(client, storeId, 'flat.html', flatHtml(150_000));
    assert.equal(file.status, 'failed');
    const { slowestMs, request } = await contentWhileHealthPolled(server, client, storeId, file.id);
    await rejectsWith(request, {
      status: 400,
      code: 'invalid_file',
      param: null,
      message: "Extracting the file's text took longer than this server's limit of 300 ms per file.",
    });
    assert.ok(slowestMs < 1_000, `GET /health took up to ${slowestMs.toFixed(0)} ms during the content request`);
    const small = await attach(client, storeId, 'small.txt', 'Quick to read.');
    assert.equal(await contentText(client, storeId, small.id), 'Quick to read.');
  });

  test('a DOCX that needs more memory than the limit is a 400 naming it; its process is replaced', {
    timeout: 120_000,
  }, async () => {
    const { server, client, storeId } = await serverWith({ INGESTION_TASK_MEMORY_MB: '64' });
    // 128 MB of XML is under the decompression cap, but the DOCX parser needs far more than 64 MB for it.
    const file = await attach(client, storeId, 'heavy.docx', await buildDocxBomb(128 * MB));
    assert.equal(file.status, 'failed');
    const { slowestMs, request } = await contentWhileHealthPolled(server, client, storeId, file.id);
    await rejectsWith(request, {
      status: 400,
      code: 'invalid_file',
      param: null,
      message: "Extracting the file's text needed more memory than this server's limit of 64 MB per file.",
    });
    assert.ok(slowestMs < 1_000, `GET /health took up to ${slowestMs.toFixed(0)} ms during the content request`);
    const light = await attach(client, storeId, 'light.txt', 'A light little file.');
    assert.equal(await contentText(client, storeId, light.id), 'A light little file.');
    assert.ok(server.rssBytes() < 600 * MB, `RSS is ${(server.rssBytes() / MB).toFixed(0)} MB after the failure`);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { Browser } from 'playwright-core';
import { Contract } from '../src/api/contract.js';
import { createErrorHandler } from '../src/http/error-handler.js';
import { registerPlayground } from '../src/http/playground-route.js';
import { launchBrowser, openPage } from './helpers/browser.js';
import { ensurePlaygroundBuilt } from './helpers/playground-build.js';
import { pollUntil } from './helpers/poll.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

let fixture: RunFixture;
let browser: Browser;

before(async () => {
  await ensurePlaygroundBuilt();
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('the Playground: serving and assistants', () => {
  test('/ sends a browser to /playground, served with its own content security policy and no key needed', async () => {
    const root = await fetch(fixture.server.url, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/playground');
    const page = await fetch(`${fixture.server.url}/playground`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await page.text();
    const script = /src="(\/playground\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'the page loads its bundle from /playground/assets/');
    const bundle = await fetch(`${fixture.server.url}${script}`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('cache-control') ?? '', /immutable/);
    const config = await fetch(`${fixture.server.url}/playground/config.json`);
    assert.deepEqual(await config.json(), { authRequired: false });
  });

  test('without a build, /playground answers 503 saying how to build it', async (t) => {
    const empty = mkdtempSync(path.join(tmpdir(), 'playground-unbuilt-'));
    t.after(() => rmSync(empty, { recursive: true, force: true }));
    const app = Fastify();
    app.setErrorHandler(createErrorHandler(new Contract()));
    await registerPlayground(app, { directory: empty, authRequired: true });
    for (const url of ['/playground', '/playground/assets/index.js']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().error.code, 'playground_not_built');
      assert.match(response.json().error.message, /npm run build/);
    }
    assert.deepEqual((await app.inject({ url: '/playground/config.json' })).json(), { authRequired: true });
    await app.close();
  });

  test('an assistant is created with every tool: a new vector store with an ingested file, code files, a function', async (t) => {
    const { page } = await openPage(t, browser, `${fixture.server.url}/playground`);
    await page.getByRole('button', { name: 'New assistant' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Everything');
    await page.getByLabel('Instructions').fill('Use every tool.');
    await page.getByLabel('Model').fill('gpt-4o');
    await page.getByLabel('Temperature').fill('0.3');

    await page.getByLabel('File search').check();
    await page.getByLabel('New vector store name').fill('Handbook');
    await page.getByRole('button', { name: 'Create vector store' }).click();
    await page.getByLabel('Upload files to the vector store').setInputFiles({
      name: 'handbook.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# Handbook\n\nThe office closes at six on Fridays.'),
    });
    await page.getByRole('table', { name: 'Files in the vector store' }).getByText('completed').waitFor();
    await page.getByLabel('Max results').fill('5');
    await page.getByLabel('Score threshold').fill('0.2');

    await page.getByLabel('Code interpreter').check();
    await page.getByLabel('Upload files for code interpreter').setInputFiles({
      name: 'sales.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('month,revenue\nJan,10\nFeb,12\n'),
    });
    await page.getByRole('list', { name: 'Code interpreter files' }).getByText('sales.csv').waitFor();

    await page.getByRole('button', { name: 'Add function' }).click();
    const definition = page.getByLabel('Function 1', { exact: true });
    await definition.fill('{"name": "get weather"');
    await page
      .getByRole('list', { name: 'Problems in Function 1' })
      .getByText(/Not valid JSON/)
      .waitFor();
    await definition.fill('{"name": "get weather", "parameters": {"type": "object"}}');
    await page
      .getByRole('list', { name: 'Problems in Function 1' })
      .getByText(/name must be/)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create assistant' }).isDisabled(), true);
    await definition.fill(
      JSON.stringify({
        name: 'get_weather',
        description: 'Weather in a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      }),
    );
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.getByRole('tab', { name: 'Settings' }).waitFor();

    const [assistant] = (await fixture.client.beta.assistants.list()).data;
    assert.equal(assistant?.name, 'Everything');
    assert.equal(assistant.temperature, 0.3);
    assert.deepEqual(
      assistant.tools.map((tool) => tool.type),
      ['file_search', 'code_interpreter', 'function'],
    );
    const fileSearch = assistant.tools[0];
    assert.equal(fileSearch?.type === 'file_search' && fileSearch.file_search?.max_num_results, 5);
    assert.equal(fileSearch?.type === 'file_search' && fileSearch.file_search?.ranking_options?.score_threshold, 0.2);
    const storeId = assistant.tool_resources?.file_search?.vector_store_ids?.[0];
    assert.equal((await fixture.client.vectorStores.retrieve(storeId!)).name, 'Handbook');
    const [codeFile] = assistant.tool_resources?.code_interpreter?.file_ids ?? [];
    assert.equal((await fixture.client.files.retrieve(codeFile!)).filename, 'sales.csv');
  });

  test('edits show as unsaved until saved; an API error is shown with its message; delete asks twice', async (t) => {
    const assistant = await fixture.client.beta.assistants.create({ model: 'gpt-4o', name: 'Editable' });
    const { page, expectConsoleError } = await openPage(
      t,
      browser,
      `${fixture.server.url}/playground?assistant=${assistant.id}`,
    );
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('Description').fill('Now described');
    await page.getByText('Unsaved changes').waitFor();
    await page.getByLabel('Format').selectOption('json_schema');
    await page
      .getByRole('textbox', { name: 'JSON schema' })
      .fill('{"type": "object", "properties": {"answer": {"type": "text"}}}');
    await page
      .getByRole('list', { name: 'Problems in JSON schema' })
      .getByText(/answer\.type/)
      .waitFor();
    await page
      .getByRole('textbox', { name: 'JSON schema' })
      .fill('{"type": "object", "properties": {"answer": {"type": "string"}}}');
    await page.getByRole('button', { name: 'Add metadata' }).click();
    await page.getByLabel('Key 1').fill('team');
    await page.getByLabel('Value 1').fill('docs');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    assert.equal(await page.getByText('Unsaved changes').count(), 0);
    const saved = await fixture.client.beta.assistants.retrieve(assistant.id);
    assert.equal(saved.description, 'Now described');
    assert.deepEqual(saved.metadata, { team: 'docs' });
    assert.equal(typeof saved.response_format === 'object' && saved.response_format?.type, 'json_schema');

    expectConsoleError(/status of 400/);
    await page.getByLabel('Instructions').fill('x'.repeat(256_001));
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .getByText(/^400: .*instructions/)
      .waitFor();

    await page.getByRole('button', { name: 'Delete assistant' }).click();
    await page.getByRole('button', { name: 'Confirm delete assistant' }).click();
    await page.getByText('Choose an assistant, or create one.').waitFor();
    await pollUntil(
      async () => (await fixture.client.beta.assistants.list()).data.every((item) => item.id !== assistant.id),
      { what: 'the assistant to be deleted' },
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage } from './helpers/browser.js';
import { ensurePlaygroundBuilt } from './helpers/playground-build.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

let fixture: RunFixture;
let browser: Browser;

before(async () => {
  await ensurePlaygroundBuilt();
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none', API_KEYS: 'right-key=team' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('the Playground with API_KEYS set', () => {
  test('it asks for a key, keeps it, lets it be forgotten, and a refused key brings the prompt back', async (t) => {
    const { page, expectConsoleError } = await openPage(t, browser, `${fixture.server.url}/playground`);
    const key = page.getByLabel('API key');
    await key.fill('right-key');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'New assistant' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'New assistant' }).waitFor();
    await page.getByRole('button', { name: 'Forget API key' }).click();
    await key.waitFor();

    expectConsoleError(/status of 401/);
    await key.fill('wrong-key');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').getByText('The server refused that key.').waitFor();
    assert.equal(await page.evaluate("window.localStorage.getItem('assistants-playground.api-key')"), null);
    await key.fill('right-key');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('link', { name: 'Vector stores' }).waitFor();
  });

  test('vector stores: create, upload with status, search shows scored chunks, delete; files: upload, download, delete', async (t) => {
    const client = new OpenAI({ baseURL: fixture.server.baseURL, apiKey: 'right-key' });
    const { page } = await openPage(t, browser, `${fixture.server.url}/playground?page=vector-stores`);
    await page.getByLabel('API key').fill('right-key');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Name').fill('Facts');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'Facts' }).waitFor();
    await page.getByLabel('Upload files to the vector store').setInputFiles([
      { name: 'france.txt', mimeType: 'text/plain', buffer: Buffer.from('The capital of France is Paris.') },
      { name: 'broken.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a pdf at all') },
    ]);
    const files = page.getByRole('table', { name: 'Files in the vector store' });
    await files.getByRole('row', { name: /france\.txt.*completed/ }).waitFor();
    await files.getByRole('row', { name: /broken\.pdf.*failed/ }).waitFor();

    await page.getByLabel('Search query').fill('capital of France');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await results.getByText('The capital of France is Paris.').waitFor();
    await results
      .getByText(/score \d\.\d{3}/)
      .first()
      .waitFor();

    await page.getByRole('button', { name: 'Delete vector store' }).click();
    await page.getByRole('button', { name: 'Confirm delete vector store' }).click();
    await page.getByText('Choose a vector store, or create one.').waitFor();
    assert.equal((await client.vectorStores.list()).data.length, 0);

    await page.getByRole('link', { name: 'Files' }).click();
    await page.getByLabel('Purpose').selectOption('user_data');
    await page.getByLabel('Upload files').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('kept notes'),
    });
    const row = page.getByRole('row', { name: /notes\.txt.*user_data/ });
    await row.waitFor();
    const download = page.waitForEvent('download');
    await row.getByRole('button', { name: 'Download notes.txt' }).click();
    assert.equal((await download).suggestedFilename(), 'notes.txt');
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await row.waitFor({ state: 'detached' });
    const left = (await client.files.list()).data.map((file) => file.filename);
    assert.ok(!left.includes('notes.txt'));
  });
});

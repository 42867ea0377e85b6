import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from './helpers/browser.js';
import { ensurePlaygroundBuilt } from './helpers/playground-build.js';
import { pollUntil } from './helpers/poll.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { chatRequests } from './helpers/run-helpers.js';
import { ControlledResponse, type RecordedRequest } from './upstream/index.js';

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

function assistantUrl(assistantId: string, threadId?: string): string {
  const thread = threadId === undefined ? '' : `&thread=${threadId}`;
  return `${fixture.server.url}/playground?assistant=${assistantId}${thread}`;
}

function toolOutput(request: RecordedRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: string }>;
  return messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
}

const runPanel = (page: Page) => page.getByRole('complementary', { name: 'Run' });
const runStatus = (page: Page, status: string) => runPanel(page).getByRole('status').filter({ hasText: status });
const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });

describe('the Playground: chat', () => {
  test('a streamed answer appears as it arrives, as Markdown with highlighted code; the run panel shows its usage', async (t) => {
    const assistant = await fixture.client.beta.assistants.create({ model: 'gpt-4o', name: 'Streamer' });
    const { page } = await openPage(t, browser, assistantUrl(assistant.id));
    const controlled = new ControlledResponse();
    fixture.upstream.script({ controlled });
    await send(page, 'Show me Python.');
    await controlled.connected;
    controlled.text('Here is **bold** text');
    await messages(page).locator('strong', { hasText: 'bold' }).waitFor();
    await runStatus(page, 'in_progress').waitFor();
    controlled.text(' and code:\n\n```python\ndef square(n):\n    return n * n\n```\n');
    controlled.finish('stop', { promptTokens: 21, completionTokens: 13 });
    await messages(page).locator('pre.hljs .hljs-keyword', { hasText: 'def' }).waitFor();
    await runStatus(page, 'completed').waitFor();
    await runPanel(page).getByText('Tokens: 21 in, 13 out, 34 total').first().waitFor();
    // The thread joined the assistant's list and the URL, so it can be reopened and linked to.
    await page.getByRole('navigation', { name: 'Threads' }).getByText('Show me Python.').waitFor();
    assert.match(page.url(), /[?&]thread=thread_/);
  });

  test('a running run is cancelled from the run panel', async (t) => {
    const assistant = await fixture.client.beta.assistants.create({ model: 'gpt-4o' });
    const { page } = await openPage(t, browser, assistantUrl(assistant.id));
    const controlled = new ControlledResponse();
    fixture.upstream.script({ controlled });
    await send(page, 'Write a very long story.');
    await controlled.connected;
    controlled.text('Once upon a time');
    await messages(page).getByText('Once upon a time').waitFor();
    await runPanel(page).getByRole('button', { name: 'Cancel run' }).click();
    await runStatus(page, 'cancelled').waitFor();
    assert.equal(await runPanel(page).getByRole('button', { name: 'Cancel run' }).count(), 0);
  });

  test('a function call is shown with its arguments and answered from the page', async (t) => {
    const assistant = await fixture.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    fixture.upstream.script({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] }, (request) => ({
      text: `Oslo: ${toolOutput(request)}.`,
    }));
    const { page } = await openPage(t, browser, assistantUrl(assistant.id));
    await send(page, 'Weather in Oslo?');
    const form = page.getByRole('form', { name: 'Tool outputs' });
    await form.getByLabel('Arguments of get_weather').getByText('"city": "Oslo"').waitFor();
    await runStatus(page, 'requires_action').waitFor();
    await form.getByLabel('Output of get_weather').fill('-3 °C and snowing');
    await form.getByRole('button', { name: 'Submit outputs' }).click();
    await messages(page).getByText('Oslo: -3 °C and snowing.').waitFor();
    assert.equal(toolOutput(chatRequests(fixture).at(-1)!), '-3 °C and snowing');
    await runPanel(page).getByLabel('Function output').getByText('-3 °C and snowing').waitFor();
  });

  test('an attached file is searched and the answer cites it in a numbered footnote with the passage', async (t) => {
    const assistant = await fixture.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
    });
    fixture.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['office closing time'] } }] },
      (request) => ({ text: `At six ${/【\d+:\d+†[^】]*】/.exec(toolOutput(request))?.[0] ?? ''}.` }),
    );
    const { page } = await openPage(t, browser, assistantUrl(assistant.id));
    await page.getByLabel('Attach files').setInputFiles({
      name: 'office.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('The office closes at six on Fridays.'),
    });
    await page.getByRole('list', { name: 'To send with the message' }).getByText('office.md').waitFor();
    await send(page, 'When does the office close on Friday?');
    const answer = page.getByRole('article', { name: 'Assistant message' });
    await answer.getByRole('link', { name: 'Source 1' }).waitFor();
    const sources = answer.getByRole('list', { name: 'Sources' });
    await sources.getByText('office.md').waitFor();
    await sources.getByText('The office closes at six on Fridays.').waitFor();
    assert.equal(await answer.getByText('【').count(), 0, 'the raw marker is replaced by the footnote');
    await runPanel(page)
      .getByRole('list', { name: 'Search results' })
      .getByText(/score \d\.\d{3}/)
      .waitFor();
    await page.getByRole('article', { name: 'You message' }).getByText('office.md').waitFor();
  });

  test('a code_interpreter figure shows inline and a file it wrote downloads', async (t) => {
    const assistant = await fixture.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }],
    });
    const code = [
      'import matplotlib.pyplot as plt',
      "open('/mnt/data/squares.csv', 'w').write('n,square\\n3,9\\n')",
      'plt.plot([1, 2, 3], [1, 4, 9])',
      'plt.show()',
      "print('plotted')",
    ].join('\n');
    fixture.upstream.script(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code } }] },
      { text: 'Here is the chart. [Download the table](sandbox:/mnt/data/squares.csv)' },
    );
    const { page } = await openPage(t, browser, assistantUrl(assistant.id));
    await send(page, 'Plot the squares.');
    const answer = page.getByRole('article', { name: 'Assistant message' });
    const figure = answer.getByRole('img');
    await figure.waitFor();
    // Loaded and decoded: a PNG the browser could draw, not a broken image.
    // Polled from here: waitForFunction's own polling evaluates strings in the page, which the Playground's CSP refuses.
    await pollUntil(
      () =>
        figure.evaluate((image) => {
          const { complete, naturalWidth } = image as unknown as { complete: boolean; naturalWidth: number };
          return complete && naturalWidth > 0;
        }),
      { what: 'the figure to load and decode', timeoutMs: 15_000 },
    );
    assert.match((await figure.getAttribute('src')) ?? '', /^blob:/);
    await runPanel(page).getByLabel('Logs').getByText('plotted').waitFor();
    await runPanel(page).getByLabel('Code').getByText('plt.plot').waitFor();

    const download = page.waitForEvent('download');
    await answer.getByRole('button', { name: 'Download squares.csv' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'squares.csv');
    assert.equal(readFileSync((await file.path())!, 'utf8'), 'n,square\n3,9\n');
    const inline = page.waitForEvent('download');
    await answer.getByRole('link', { name: 'Download the table' }).click();
    assert.equal((await inline).suggestedFilename(), 'squares.csv');
  });

  test('threads switch from the list, each with its own messages and run; a deep link opens one', async (t) => {
    const assistant = await fixture.client.beta.assistants.create({ model: 'gpt-4o', name: 'Switcher' });
    fixture.upstream.script({ text: 'Answer about apples.' }, { text: 'Answer about pears.' });
    const { page } = await openPage(t, browser, assistantUrl(assistant.id));
    await send(page, 'Apples?');
    await messages(page).getByText('Answer about apples.').waitFor();
    const firstUrl = page.url();
    await page.getByRole('button', { name: 'New thread' }).click();
    await page.getByText('Send a message to start a thread with this assistant.').waitFor();
    await send(page, 'Pears?');
    await messages(page).getByText('Answer about pears.').waitFor();

    const threads = page.getByRole('navigation', { name: 'Threads' });
    await threads.getByRole('link', { name: /Apples\?/ }).click();
    await messages(page).getByText('Answer about apples.').waitFor();
    assert.equal(await messages(page).getByText('Answer about pears.').count(), 0);
    assert.equal(page.url(), firstUrl);
    await threads.getByRole('link', { name: /Pears\?/ }).click();
    await messages(page).getByText('Answer about pears.').waitFor();

    // A thread made by the API (not by this browser) opens from a link, and joins the list.
    const thread = await fixture.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Made through the API.' }],
    });
    fixture.upstream.script({ text: 'Seen through the Playground.' });
    await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    const linked = await openPage(t, browser, assistantUrl(assistant.id, thread.id));
    await messages(linked.page).getByText('Made through the API.').waitFor();
    await messages(linked.page).getByText('Seen through the Playground.').waitFor();
    await runStatus(linked.page, 'completed').waitFor();
    await linked.page
      .getByRole('navigation', { name: 'Threads' })
      .getByRole('link', { name: new RegExp(thread.id) })
      .waitFor();
  });
});

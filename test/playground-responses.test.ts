import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from './helpers/browser.js';
import { ensurePlaygroundBuilt } from './helpers/playground-build.js';
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

const responsesUrl = () => `${fixture.server.url}/playground?page=responses`;

function lastToolMessage(request: RecordedRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: string }>;
  return messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
}

function userTexts(request: RecordedRequest): string[] {
  const messages = request.body.messages as Array<{ role: string; content: unknown }>;
  return messages.filter((message) => message.role === 'user').map((message) => JSON.stringify(message.content));
}

async function send(page: Page, text: string): Promise<void> {
  const input = page.getByRole('form', { name: 'New response' }).getByRole('textbox', { name: 'Input' });
  await input.fill(text);
  await input.press('Enter');
}

/**
 * Waits until "New conversation" has made one: its id joins the field's suggestions in the same render that puts it
 * in the field. (No waitForFunction: its polling evaluates strings in the page, which the Playground's CSP refuses.)
 */
function newConversationChosen(page: Page): Promise<void> {
  return page.locator('#playground-conversations option[value^="conv_"]').waitFor({ state: 'attached' });
}

const summary = (page: Page) => page.getByRole('region', { name: 'Response' });
const status = (page: Page, name: string) => summary(page).getByRole('status').filter({ hasText: name });
const items = (page: Page) => page.getByRole('log', { name: 'Output items' });
const responseIdShown = async (page: Page) => (await summary(page).locator('small.mono').first().textContent()) ?? '';

describe('the Playground: responses', () => {
  test('a streamed response shows its text as it arrives, its status and usage, and its events in the log', async (t) => {
    const { page } = await openPage(t, browser, responsesUrl());
    await page.getByRole('link', { name: 'Responses' }).and(page.locator('[aria-current="page"]')).waitFor();
    const controlled = new ControlledResponse();
    fixture.upstream.script({ controlled });
    await page.getByRole('textbox', { name: 'Instructions' }).fill('Answer briefly.');
    await send(page, 'Say hello.');
    await controlled.connected;
    controlled.text('Hello **there**');
    // Shown while the response is still in progress: the text streams in.
    await items(page).getByRole('article', { name: 'Message' }).locator('strong', { hasText: 'there' }).waitFor();
    await status(page, 'in_progress').waitFor();
    controlled.text(', friend.');
    controlled.finish('stop', { promptTokens: 12, completionTokens: 5 });
    await status(page, 'completed').waitFor();
    await items(page).getByText('Hello there, friend.').waitFor();
    await summary(page).getByText('Tokens: 12 in, 5 out, 17 total').waitFor();
    const request = chatRequests(fixture).at(-1)!;
    assert.deepEqual(request.body.messages[0], { role: 'system', content: 'Answer briefly.' });

    await page.getByText(/^Events \(\d+\)$/).click();
    const events = page.getByRole('list', { name: 'Events' });
    const types = await events.locator('summary code').allTextContents();
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.ok(types.includes('response.output_text.delta'));
    const numbers = await events.locator('summary .mono').allTextContents();
    assert.deepEqual(
      numbers,
      types.map((_, index) => `#${index}`),
    );
    await events.getByText('response.output_text.delta').first().click();
    await events.locator('pre').getByText('"delta": "Hello **there**"').waitFor();

    // The response joined this session's list: it is retrieved from there, and deleted.
    const id = await responseIdShown(page);
    assert.match(id, /^resp_/);
    const list = page.getByRole('navigation', { name: 'Responses' });
    const entry = list.getByRole('listitem').filter({ hasText: id });
    await entry.getByText('Say hello.').waitFor();
    await page.reload();
    await entry.getByRole('button', { name: /Say hello\./ }).click();
    await status(page, 'completed').waitFor();
    await items(page).getByText('Hello there, friend.').waitFor();
    assert.equal(await page.getByText('Events (0)').count(), 1);
    // Its events again, from GET /v1/responses/{id}?stream=true.
    await summary(page).getByRole('button', { name: 'Replay its events' }).click();
    await page.getByText(`Events (${types.length})`).click();
    assert.deepEqual(await events.locator('summary code').allTextContents(), types);
    await items(page).getByText('Hello there, friend.').waitFor();
    await entry.getByRole('button', { name: 'Delete' }).click();
    await entry.getByRole('button', { name: 'Confirm delete' }).click();
    await entry.waitFor({ state: 'detached' });
    await summary(page).waitFor({ state: 'detached' });
    await assert.rejects(fixture.client.responses.retrieve(id), { status: 404 });
  });

  test('a function call is shown with its arguments and answered through the form, as the next response', async (t) => {
    const { page } = await openPage(t, browser, responsesUrl());
    await page.getByRole('button', { name: 'Add function' }).click();
    fixture.upstream.script(
      { toolCalls: [{ id: 'call_oslo', name: 'get_weather', arguments: { city: 'Oslo' } }] },
      (request) => ({ text: `Oslo: ${lastToolMessage(request)}.` }),
    );
    await send(page, 'Weather in Oslo?');
    const call = items(page).getByRole('article', { name: 'Function call' });
    await call.getByLabel('Arguments of get_weather').getByText('"city": "Oslo"').waitFor();
    await status(page, 'completed').waitFor();
    const firstId = await responseIdShown(page);
    const first = await fixture.client.responses.retrieve(firstId);
    assert.equal(first.output[0]?.type, 'function_call');
    const offered = chatRequests(fixture).at(-1)!.body.tools as Array<{ function: { name: string } }>;
    assert.deepEqual(
      offered.map((tool) => tool.function.name),
      ['get_weather'],
    );

    const form = page.getByRole('form', { name: 'Function outputs' });
    await form.getByLabel('Output of get_weather').fill('-3 °C and snowing');
    await form.getByRole('button', { name: 'Send outputs' }).click();
    await items(page).getByText('Oslo: -3 °C and snowing.').waitFor();
    await status(page, 'completed').waitFor();
    assert.equal(lastToolMessage(chatRequests(fixture).at(-1)!), '-3 °C and snowing');
    const secondId = await responseIdShown(page);
    assert.notEqual(secondId, firstId);
    const second = await fixture.client.responses.retrieve(secondId);
    assert.equal(second.previous_response_id, firstId);
    assert.equal(second.output_text, 'Oslo: -3 °C and snowing.');
    await summary(page).getByText(firstId).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Function outputs' }).count(), 0);
  });

  test('a file_search call shows its queries and results, and the answer its citation', async (t) => {
    const store = await fixture.client.vectorStores.create({ name: 'Office handbook' });
    const file = await fixture.client.files.create({
      file: new File(['The office closes at six on Fridays.'], 'office.md', { type: 'text/markdown' }),
      purpose: 'assistants',
    });
    await fixture.client.vectorStores.files.createAndPoll(store.id, { file_id: file.id });
    const { page } = await openPage(t, browser, responsesUrl());
    await page.getByRole('checkbox', { name: 'file_search' }).check();
    await page.getByRole('combobox', { name: 'Vector store' }).selectOption({ label: 'Office handbook' });
    fixture.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['office closing time'] } }] },
      (request) => ({ text: `At six ${/【\d+:\d+†[^】]*】/.exec(lastToolMessage(request))?.[0] ?? ''}.` }),
    );
    await send(page, 'When does the office close on Friday?');
    const search = items(page).getByRole('article', { name: 'File search call' });
    await search.getByRole('list', { name: 'Queries' }).getByText('office closing time').waitFor();
    const results = search.getByRole('list', { name: 'Search results' });
    await results.getByText('The office closes at six on Fridays.').waitFor();
    await results.getByText(/score \d\.\d{3}/).waitFor();
    await status(page, 'completed').waitFor();
    const answer = items(page).getByRole('article', { name: 'Message' });
    await answer.getByRole('list', { name: 'Citations' }).getByText('office.md').waitFor();
    await answer.getByText('At six [1].').waitFor();
    assert.equal(await answer.getByText('【').count(), 0, 'the marker is shown as the number of its citation');
  });

  test('a code_interpreter call shows its code, logs and figure, run in an auto container', async (t) => {
    const { page } = await openPage(t, browser, responsesUrl());
    await page.getByRole('checkbox', { name: /code_interpreter/ }).check();
    const code = [
      'import matplotlib.pyplot as plt',
      "open('/mnt/data/squares.csv', 'w').write('n,square\\n3,9\\n')",
      'plt.plot([1, 2, 3], [1, 4, 9])',
      'plt.show()',
      'print(6 * 7)',
    ].join('\n');
    fixture.upstream.script(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code } }] },
      { text: 'It is 42. [The table](sandbox:/mnt/data/squares.csv)' },
    );
    await send(page, 'What is six times seven?');
    const call = items(page).getByRole('article', { name: 'Code interpreter call' });
    await call.getByLabel('Code').getByText('print(6 * 7)').waitFor();
    await call.getByLabel('Logs').getByText('42').waitFor();
    await call.getByText(/^cntr_/).waitFor();
    // The figure's URL needs the API key: loaded with it and decoded, not a broken image.
    const figure = call.getByRole('img', { name: 'Figure from the code' });
    await figure.waitFor();
    // Decoded: a PNG the browser could draw (decode() rejects for a broken image).
    type Decodable = { decode(): Promise<void>; naturalWidth: number };
    assert.ok(await figure.evaluate((image) => (image as unknown as Decodable).decode().then(() => true)));
    assert.ok((await figure.evaluate((image) => (image as unknown as Decodable).naturalWidth)) > 0);
    assert.match((await figure.getAttribute('src')) ?? '', /^blob:/);
    await status(page, 'completed').waitFor();
    // The file the code wrote is a container_file_citation: it downloads from the container.
    const answer = items(page).getByRole('article', { name: 'Message' });
    await answer.getByText('It is 42. The table').waitFor();
    assert.equal(await answer.locator('a[href^="sandbox:"]').count(), 0);
    const download = page.waitForEvent('download');
    await answer.getByRole('list', { name: 'Citations' }).getByRole('button', { name: 'Download squares.csv' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'squares.csv');
    assert.equal(readFileSync((await file.path())!, 'utf8'), 'n,square\n3,9\n');
  });

  test('"Continue from this response" chains the next one; a new conversation keeps its items', async (t) => {
    const { page } = await openPage(t, browser, responsesUrl());
    fixture.upstream.script({ text: 'Noted: apples.' }, { text: 'You said apples.' });
    await send(page, 'Remember apples.');
    await status(page, 'completed').waitFor();
    const firstId = await responseIdShown(page);
    await summary(page).getByRole('button', { name: 'Continue from this response' }).click();
    assert.equal(await page.getByRole('textbox', { name: 'Previous response' }).inputValue(), firstId);
    await send(page, 'What did I say?');
    await items(page).getByText('You said apples.').waitFor();
    assert.deepEqual(userTexts(chatRequests(fixture).at(-1)!), ['"Remember apples."', '"What did I say?"']);

    await page.getByRole('button', { name: 'Start fresh' }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    const conversationField = page.getByRole('combobox', { name: 'Conversation' });
    await newConversationChosen(page);
    const conversationId = await conversationField.inputValue();
    fixture.upstream.script({ text: 'Pears it is.' });
    await send(page, 'Pears?');
    await items(page).getByText('Pears it is.').waitFor();
    await summary(page).getByText(conversationId).waitFor();
    const stored = await fixture.client.conversations.items.list(conversationId, { order: 'asc' });
    assert.deepEqual(
      stored.data.map((item) => item.type === 'message' && item.role),
      ['user', 'assistant'],
    );
  });

  test('a background response streams too, and is cancelled from the page', async (t) => {
    const { page } = await openPage(t, browser, responsesUrl());
    await page.getByRole('checkbox', { name: 'background' }).check();
    const controlled = new ControlledResponse();
    fixture.upstream.script({ controlled });
    await send(page, 'Write a very long story.');
    await controlled.connected;
    controlled.text('Once upon a time');
    await items(page).getByText('Once upon a time').waitFor();
    await summary(page).getByRole('button', { name: 'Cancel response' }).click();
    await status(page, 'cancelled').waitFor();
    const id = await responseIdShown(page);
    const cancelled = await fixture.client.responses.retrieve(id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.background, true);
    assert.equal(await summary(page).getByRole('button', { name: 'Cancel response' }).count(), 0);
  });

  test('an error from the API is shown, and nothing joins the list', async (t) => {
    const opened = await openPage(t, browser, responsesUrl());
    const { page } = opened;
    opened.expectConsoleError(/400/);
    await page.getByRole('textbox', { name: 'Previous response' }).fill('resp_doesnotexist');
    await page.getByRole('button', { name: 'New conversation' }).click();
    await newConversationChosen(page);
    await send(page, 'Both at once?');
    await page
      .getByRole('alert')
      .getByText(/^400: /)
      .waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Responses' }).getByRole('listitem').count(), 0);
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

/**
 * `POST /responses/input_tokens` counts what a response would start with, as the run builds it (instructions, the
 * history of its conversation or previous_response_id chain, its input, its tools); and `truncation` decides what
 * happens when that does not fit the model's window. The upstream reports no usage here, so a response's
 * `usage.input_tokens` is the server's own count of the prompt it sent.
 */
let fixture: RunFixture;
let client: OpenAI;
// A model the context table does not know: its window is DEFAULT_CONTEXT_WINDOW.
const model = 'scripted-small';
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

before(async () => {
  fixture = await startRunFixture({ env: { DEFAULT_CONTEXT_WINDOW: '600' } });
  client = fixture.client;
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

describe('input token counts', () => {
  test('match the prompt a response with the same request sends; instructions, tools and history all count', async () => {
    const request = { model, instructions: 'Answer in one word.', input: 'What colour is the sky on a clear day?' };
    const counted = await client.responses.inputTokens.count(request);
    assert.equal(counted.object, 'response.input_tokens');
    fixture.upstream.script({ text: ['Blue.'], usage: null });
    const response = await client.responses.create(request);
    assert.equal(response.status, 'completed');
    assert.equal(counted.input_tokens, response.usage?.input_tokens, 'the count is the prompt the response sent');

    const bare = await client.responses.inputTokens.count({ model, input: request.input });
    assert.ok(bare.input_tokens < counted.input_tokens, 'instructions add tokens');
    const withTools = await client.responses.inputTokens.count({ ...request, tools: [weather] });
    assert.ok(withTools.input_tokens > counted.input_tokens, 'a function tool adds tokens');
    const withSearch = await client.responses.inputTokens.count({
      ...request,
      tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
    });
    assert.ok(withSearch.input_tokens > counted.input_tokens, 'a built-in tool adds its definition');

    const followUp = { model, previous_response_id: response.id, input: 'And at night?' };
    const continued = await client.responses.inputTokens.count(followUp);
    const alone = await client.responses.inputTokens.count({ model, input: 'And at night?' });
    assert.ok(continued.input_tokens > alone.input_tokens + 10, 'the previous response is history');
    fixture.upstream.script({ text: ['Black.'], usage: null });
    const next = await client.responses.create(followUp);
    assert.equal(next.usage?.input_tokens, continued.input_tokens, 'the chain counts as the run sends it');
  });

  test('count a conversation’s items, and refuse what a response would refuse', async () => {
    const conversation = await client.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'Remember the number 42.' }],
    });
    const withHistory = await client.responses.inputTokens.count({ model, conversation: conversation.id, input: 'Hi' });
    const alone = await client.responses.inputTokens.count({ model, input: 'Hi' });
    assert.ok(withHistory.input_tokens > alone.input_tokens, 'the conversation is history');

    const text = 'Revenue rose by a third in the second quarter. '.repeat(20);
    const withFile = await client.responses.inputTokens.count({
      model,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Summarise the report.' },
            {
              type: 'input_file',
              filename: 'report.txt',
              file_data: `data:text/plain;base64,${Buffer.from(text).toString('base64')}`,
            },
          ],
        },
      ],
    });
    const withoutFile = await client.responses.inputTokens.count({ model, input: 'Summarise the report.' });
    assert.ok(withFile.input_tokens > withoutFile.input_tokens + 150, "an input_file's text counts");

    await assert.rejects(
      client.responses.inputTokens.count({ model, conversation: 'conv_missing', input: 'Hi' }),
      (error: unknown) => error instanceof OpenAI.NotFoundError && /conv_missing/.test(error.message),
    );
    await assert.rejects(
      client.responses.inputTokens.count({ model, conversation: conversation.id, previous_response_id: 'resp_x' }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /Mutually exclusive/.test(error.message),
    );
    await assert.rejects(
      client.responses.inputTokens.count({ model, input: 'Hi', tools: [{ type: 'web_search' }] }),
      (error: unknown) =>
        error instanceof OpenAI.BadRequestError && error.param === 'tools[0].type' && /web_search/.test(error.message),
    );
  });
});

describe('truncation', () => {
  test("a history over the window fails a response with truncation 'disabled' (the default) and is cut with 'auto'", async () => {
    // Each turn is ~110 tokens; the window is 600 with a quarter kept for the reply.
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(10);
    let previous: string | undefined;
    for (let turn = 0; turn < 4; turn++) {
      fixture.upstream.script({ text: [`Noted ${turn}.`] });
      const response = await client.responses.create({
        model,
        truncation: 'auto',
        input: `${turn}: ${long}`,
        ...(previous ? { previous_response_id: previous } : {}),
      });
      assert.equal(response.status, 'completed');
      previous = response.id;
    }
    fixture.upstream.reset();
    const refused = await client.responses.create({ model, previous_response_id: previous, input: 'Summarise.' });
    assert.equal(refused.status, 'failed');
    assert.equal(refused.error?.code, 'invalid_prompt');
    assert.match(refused.error?.message ?? '', /exceeds the context window/);
    assert.equal(fixture.upstream.requests.length, 0, 'nothing went upstream');

    fixture.upstream.script({ text: ['Done.'] });
    const cut = await client.responses.create({
      model,
      previous_response_id: previous,
      input: 'Summarise.',
      truncation: 'auto',
    });
    assert.equal(cut.status, 'completed');
    const sent = JSON.stringify(fixture.upstream.requests.at(-1)?.body);
    assert.ok(sent.includes('Summarise.') && sent.includes('3: The quick'), 'the newest turns are kept');
    assert.ok(!sent.includes('0: The quick'), 'the oldest turn is dropped');
  });
});

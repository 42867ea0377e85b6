import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { buildPdfPages } from './fixtures/pdf-pages.js';
import { validateAgainst } from './helpers/contract-fetch.js';
import { createResponseJson, postResponses } from './helpers/responses-http.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { chatRequests, contentText } from './helpers/run-helpers.js';

/*
 * `input_file` content parts of a response's input and of conversation items: a file by `file_id` or inline as
 * `file_data` (a data URL or bare base64) reaches the model as its text, extracted by the ingestion processes, inside
 * a `<file name="…">` tag beside the rest of the message. Refused with a 400 naming the part: a file over
 * MAX_FILE_BYTES, one whose text cannot be read, `file_url`, two sources at once; an unknown file id is a 404.
 */

const MODEL = 'gpt-4o-mini';
/** Small, so a file over the limit is cheap to send. */
const MAX_FILE_BYTES = 4096;

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none', MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

function base64(text: string | Uint8Array): string {
  return Buffer.from(text).toString('base64');
}

function userMessageWith(...parts: Array<Record<string, unknown>>) {
  return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What does it say?' }, ...parts] }];
}

/** The text of the last user message the model was sent. */
function lastUserText(): string {
  const messages = chatRequests(fixture).at(-1)!.body.messages as Array<Record<string, any>>;
  return contentText(messages.findLast((message) => message.role === 'user')!);
}

/** Creates a response that must be refused; returns the error, after checking its shape and that no model ran. */
async function refused(input: unknown[], status: number): Promise<Record<string, any>> {
  const response = await postResponses(fixture.server, { model: MODEL, input });
  const body = (await response.json()) as { error: Record<string, any> };
  assert.equal(response.status, status, JSON.stringify(body));
  assert.deepEqual(validateAgainst('ErrorResponse', body), []);
  assert.equal(chatRequests(fixture).length, 0, 'nothing reached the model');
  return body.error;
}

describe('input_file parts reach the model as text', () => {
  test('file_data as a data URL of a text file: the text, tagged with the file name, after the question', async () => {
    fixture.upstream.script({ text: 'It lists three fruits.' });
    const response = await createResponseJson(fixture.server, {
      model: MODEL,
      input: userMessageWith({
        type: 'input_file',
        filename: 'fruits.txt',
        file_data: `data:text/plain;base64,${base64('apple\nbanana\ncherry')}`,
      }),
    });
    assert.equal(response.status, 'completed');
    assert.equal(lastUserText(), 'What does it say?\n<file name="fruits.txt">\napple\nbanana\ncherry\n</file>');
  });

  test('file_data as bare base64 of a PDF: the PDF text is extracted', async () => {
    fixture.upstream.script({ text: 'A report.' });
    const pdf = buildPdfPages(['Quarterly report', 'Revenue grew by 12 percent']);
    await createResponseJson(fixture.server, {
      model: MODEL,
      input: userMessageWith({ type: 'input_file', filename: 'report.pdf', file_data: base64(pdf) }),
    });
    const text = lastUserText();
    assert.match(
      text,
      /<file name="report\.pdf">[\s\S]*Quarterly report[\s\S]*Revenue grew by 12 percent[\s\S]*<\/file>/,
    );
  });

  test('file_id of an uploaded PDF, in a system message and with the SDK', async () => {
    const file = await fixture.client.files.create({
      file: await OpenAI.toFile(Buffer.from(buildPdfPages(['House rules: no pets.'])), 'rules.pdf'),
      purpose: 'user_data',
    });
    fixture.upstream.script({ text: 'No pets.' });
    const response = await fixture.client.responses.create({
      model: MODEL,
      input: [
        { role: 'system', content: [{ type: 'input_file', file_id: file.id }] },
        { role: 'user', content: 'Can I bring my dog?' },
      ],
    });
    assert.equal(response.output_text, 'No pets.');
    const messages = chatRequests(fixture)[0]!.body.messages as Array<Record<string, any>>;
    const system = messages.find((message) => contentText(message).includes('<file name="rules.pdf">'));
    assert.ok(system, `the file's text reaches the model: ${JSON.stringify(messages)}`);
    assert.ok(['system', 'developer'].includes(system.role), system.role);
    assert.match(contentText(system), /House rules: no pets\./);
  });

  test('a conversation item with an input_file part holds the text; a response on the conversation sees it', async () => {
    const conversation = await fixture.client.conversations.create({
      items: [
        {
          type: 'message',
          role: 'user',
          content: [
            {
              type: 'input_file',
              filename: 'memo.md',
              file_data: `data:text/markdown;base64,${base64('# Memo\nThe launch is on Friday.')}`,
            },
          ],
        },
      ],
    });
    const items = await fixture.client.conversations.items.list(conversation.id);
    const [message] = items.data;
    assert.ok(message?.type === 'message', JSON.stringify(items.data));
    assert.deepEqual(message.content, [
      { type: 'input_text', text: '<file name="memo.md">\n# Memo\nThe launch is on Friday.\n</file>' },
    ]);
    assert.equal(chatRequests(fixture).length, 0);

    fixture.upstream.script({ text: 'Friday.' });
    const response = await fixture.client.responses.create({
      model: MODEL,
      conversation: conversation.id,
      input: 'When is the launch?',
    });
    assert.equal(response.output_text, 'Friday.');
    const sent = JSON.stringify(chatRequests(fixture)[0]!.body.messages);
    assert.match(sent, /The launch is on Friday\./);
  });
});

describe('input_file parts that cannot be read are refused before the model runs', () => {
  test('file_data over MAX_FILE_BYTES: 400 naming file_data and the limit', async () => {
    const error = await refused(
      userMessageWith({ type: 'input_file', filename: 'big.txt', file_data: base64('x'.repeat(MAX_FILE_BYTES + 1)) }),
      400,
    );
    assert.equal(error.param, 'input[0].content[1].file_data');
    assert.match(error.message, new RegExp(`${MAX_FILE_BYTES + 1} bytes.*maximum file size is ${MAX_FILE_BYTES}`));
  });

  test('a file whose text cannot be read: 400 naming the part and the reason', async () => {
    const garbage = Uint8Array.from({ length: 600 }, (_, index) => (index * 7919) % 256);
    const error = await refused(
      userMessageWith({ type: 'input_file', filename: 'broken.pdf', file_data: base64(garbage) }),
      400,
    );
    assert.equal(error.param, 'input[0].content[1]');
    assert.match(error.message, /could not be read/);
  });

  test('file_url, two sources, no source, a malformed data URL: 400s naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ type: 'input_file', file_url: 'https://example.com/a.pdf' }, 'input[0].content[1].file_url', /not fetched/],
      [
        { type: 'input_file', file_id: 'file-x', file_data: base64('hi'), filename: 'a.txt' },
        'input[0].content[1]',
        /only one of/,
      ],
      [{ type: 'input_file', filename: 'a.txt' }, 'input[0].content[1].file_data', /Missing required parameter/],
      [
        { type: 'input_file', filename: 'a.txt', file_data: 'data:text/plain,hello' },
        'input[0].content[1].file_data',
        /data URL/,
      ],
    ];
    for (const [part, param, message] of cases) {
      const error = await refused(userMessageWith(part), 400);
      assert.equal(error.param, param, JSON.stringify(part));
      assert.match(error.message, message);
    }
  });

  test('an unknown file id: 404 naming file_id', async () => {
    const error = await refused(userMessageWith({ type: 'input_file', file_id: 'file-missing' }), 404);
    assert.equal(error.param, 'input[0].content[1].file_id');
    assert.match(error.message, /file-missing/);
  });

  test('an assistant message cannot hold an input_file part', async () => {
    const error = await refused(
      [{ type: 'message', role: 'assistant', content: [{ type: 'input_file', file_data: base64('x') }] }],
      400,
    );
    assert.equal(error.param, 'input[0].content[0].type');
  });
});

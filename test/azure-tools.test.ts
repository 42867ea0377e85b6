import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { azureFixture } from './helpers/azure-client.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { chatRequests, lastToolOutput, messageText } from './helpers/run-helpers.js';
import { recordStream, validatedEventNames } from './helpers/stream-recorder.js';
import type { RecordedRequest } from './upstream/index.js';

/*
 * The built-in tools in runs driven by the SDK's AzureOpenAI client: file_search over a vector store, streamed,
 * its citations annotations; code_interpreter with a CSV attached and a file written back.
 */

type TextBlock = OpenAI.Beta.Threads.TextContentBlock;

let base: RunFixture;
let fixture: RunFixture;
let client: OpenAI;

before(async () => {
  base = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  fixture = azureFixture(base);
  client = fixture.client;
});
after(() => base.close());

/** Answers by quoting the first source marker the engine offered the model. */
function citeFirstMarker(request: RecordedRequest) {
  const marker = /【\d+:\d+†[^】]*】/.exec(lastToolOutput(request))?.[0] ?? '';
  return { text: `Paris is the capital ${marker}.` };
}

describe('built-in tools through AzureOpenAI', () => {
  test('file_search: a streamed run searches the vector store and its answer cites the file', async () => {
    const store = await client.vectorStores.create({ name: 'Facts' });
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
      files: [await toFile(Buffer.from('The capital of France is Paris.'), 'france.txt')],
    });
    assert.equal(batch.status, 'completed');
    fixture.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['capital of France'] } }] },
      citeFirstMarker,
    );
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Capital of France?' }] });
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const recording = recordStream(stream);
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed');
    assert.ok(validatedEventNames(recording).includes('thread.message.delta'));
    assert.match(lastToolOutput(chatRequests(fixture).at(-1)!), /The capital of France is Paris/);

    const [answer] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
    const { text } = answer!.content[0] as TextBlock;
    const citation = text.annotations[0] as OpenAI.Beta.Threads.FileCitationAnnotation;
    assert.equal(citation.type, 'file_citation');
    assert.equal((await client.files.retrieve(citation.file_citation.file_id)).filename, 'france.txt');
    assert.equal(text.value.slice(citation.start_index, citation.end_index), citation.text);

    const steps = await client.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      include: ['step_details.tool_calls[*].file_search.results[*].content'],
    });
    const toolStep = steps.data.find((step) => step.type === 'tool_calls')!;
    const [call] = (toolStep.step_details as OpenAI.Beta.Threads.Runs.ToolCallsStepDetails).tool_calls;
    assert.equal(call?.type, 'file_search');
    const results = (call as OpenAI.Beta.Threads.Runs.FileSearchToolCall).file_search.results ?? [];
    assert.match(results[0]?.content?.[0]?.text ?? '', /capital of France/);
  });

  test('code_interpreter: reads an attached CSV and writes a file the answer links to', async () => {
    const csv = await client.files.create({
      file: await toFile(Buffer.from('month,revenue\njan,10\nfeb,32\n'), 'sales.csv'),
      purpose: 'assistants',
    });
    const source =
      "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')\n" +
      "df.to_csv('/mnt/data/total.csv', index=False)\nprint(df['revenue'].sum())";
    fixture.upstream.script({ toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] }, (request) => ({
      text: `Total ${lastToolOutput(request).trim()}: [table](sandbox:/mnt/data/total.csv).`,
    }));
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
    const run = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: {
        messages: [
          {
            role: 'user',
            content: 'Total revenue?',
            attachments: [{ file_id: csv.id, tools: [{ type: 'code_interpreter' }] }],
          },
        ],
      },
    });
    assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
    const [answer] = (await client.beta.threads.messages.list(run.thread_id, { run_id: run.id })).data;
    assert.match(messageText(answer!), /^Total 42:/);
    const link = (answer!.content[0] as TextBlock).text.annotations[0] as OpenAI.Beta.Threads.FilePathAnnotation;
    assert.equal(link.type, 'file_path');
    assert.equal(await (await client.files.content(link.file_path.file_id)).text(), 'month,revenue\njan,10\nfeb,32\n');
  });
});

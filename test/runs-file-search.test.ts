import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { pollUntil } from './helpers/poll.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { assertValidStreamEvent, chatRequests } from './helpers/run-helpers.js';
import type { RecordedRequest } from './upstream/index.js';

let fixture: RunFixture;
let client: OpenAI;
let vectorStoreId: string;
let franceFile: string;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
  const france = await client.files.create({
    file: await OpenAI.toFile(
      Buffer.from('The capital of France is Paris. The Eiffel Tower is 330 metres tall.'),
      'france.txt',
    ),
    purpose: 'assistants',
  });
  const bananas = await client.files.create({
    file: await OpenAI.toFile(Buffer.from('Bananas are yellow and rich in potassium.'), 'bananas.txt'),
    purpose: 'assistants',
  });
  franceFile = france.id;
  const store = await client.vectorStores.create({ name: 'facts', file_ids: [france.id, bananas.id] });
  vectorStoreId = store.id;
});

after(async () => {
  await fixture.close();
});

/** The tool message the engine sent back for the model's file_search call. */
function toolOutput(request: RecordedRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: string }>;
  return messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
}

/** Answers by quoting the first source marker the engine offered. */
function citeFirstMarker(request: RecordedRequest) {
  const marker = /【\d+:\d+†[^】]*】/.exec(toolOutput(request))?.[0] ?? '';
  return { text: `Paris is the capital ${marker}.` };
}

describe('file_search in runs', () => {
  // The last test restarts the server on the same data; it must stay last.
  test('the model searches, the step records results, and the answer cites them', async () => {
    fixture.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['capital of France'] } }] },
      citeFirstMarker,
    );
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search', file_search: { max_num_results: 3, ranking_options: { score_threshold: 0.1 } } }],
      tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    for await (const event of stream) assertValidStreamEvent(structuredClone(event));
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed');

    // The model was offered file_search as a function taking queries.
    const first = chatRequests(fixture).at(-2)!;
    const offered = (first.body.tools as Array<{ function: { name: string; parameters: any } }>).map(
      (tool) => tool.function,
    );
    assert.deepEqual(
      offered.map((tool) => tool.name),
      ['file_search'],
    );
    assert.equal(offered[0]!.parameters.properties.queries.type, 'array');
    assert.match(toolOutput(chatRequests(fixture).at(-1)!), /The capital of France is Paris/);

    const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
    const toolStep = steps.data.find((step) => step.type === 'tool_calls')!;
    assert.equal(toolStep.status, 'completed');
    const call = (toolStep.step_details as OpenAI.Beta.Threads.Runs.ToolCallsStepDetails)
      .tool_calls[0] as OpenAI.Beta.Threads.Runs.FileSearchToolCall;
    assert.equal(call.type, 'file_search');
    assert.deepEqual(call.file_search.ranking_options, { ranker: 'default_2024_08_21', score_threshold: 0.1 });
    assert.equal(call.file_search.results?.[0]?.file_id, franceFile);
    assert.equal(call.file_search.results?.[0]?.file_name, 'france.txt');
    assert.equal(call.file_search.results?.[0]?.content, undefined, 'content only with include[]');

    const withContent = await client.beta.threads.runs.steps.retrieve(toolStep.id, {
      thread_id: thread.id,
      run_id: run.id,
      include: ['step_details.tool_calls[*].file_search.results[*].content'],
    });
    const included = (withContent.step_details as OpenAI.Beta.Threads.Runs.ToolCallsStepDetails)
      .tool_calls[0] as OpenAI.Beta.Threads.Runs.FileSearchToolCall;
    assert.match(included.file_search.results?.[0]?.content?.[0]?.text ?? '', /capital of France is Paris/);

    const [answer] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
    const part = answer!.content[0] as OpenAI.Beta.Threads.TextContentBlock;
    assert.equal(part.text.annotations.length, 1);
    const citation = part.text.annotations[0] as OpenAI.Beta.Threads.FileCitationAnnotation;
    assert.equal(citation.type, 'file_citation');
    assert.equal(citation.file_citation.file_id, franceFile);
    assert.equal(part.text.value.slice(citation.start_index, citation.end_index), citation.text);
    assert.match(citation.text, /^【0:0†france\.txt】$/);
  });

  test('a thread attachment is searched, after its ingestion finished', async () => {
    const notes = await client.files.create({
      file: await OpenAI.toFile(Buffer.from('The office closes at six on Fridays.'), 'office.md'),
      purpose: 'assistants',
    });
    fixture.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['office closing time Friday'] } }] },
      citeFirstMarker,
    );
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'file_search' }] });
    const run = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: {
        messages: [
          {
            role: 'user',
            content: 'When does the office close on Friday?',
            attachments: [{ file_id: notes.id, tools: [{ type: 'file_search' }] }],
          },
        ],
      },
    });
    assert.equal(run.status, 'completed');
    assert.match(toolOutput(chatRequests(fixture).at(-1)!), /closes at six/);
    const [answer] = (await client.beta.threads.messages.list(run.thread_id, { run_id: run.id })).data;
    const part = answer!.content[0] as OpenAI.Beta.Threads.TextContentBlock;
    assert.equal(
      (part.text.annotations[0] as OpenAI.Beta.Threads.FileCitationAnnotation | undefined)?.file_citation.file_id,
      notes.id,
    );
  });

  test('include[] on run creation puts result content into the streamed step events', async () => {
    fixture.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['bananas'] } }] },
      { text: 'Yellow.' },
    );
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'What colour are bananas?' }],
    });
    const stream = client.beta.threads.runs.stream(thread.id, {
      assistant_id: assistant.id,
      include: ['step_details.tool_calls[*].file_search.results[*].content'],
    });
    let content = '';
    for await (const event of stream) {
      if (event.event !== 'thread.run.step.completed' || event.data.step_details.type !== 'tool_calls') continue;
      const call = event.data.step_details.tool_calls[0] as OpenAI.Beta.Threads.Runs.FileSearchToolCall;
      content = call.file_search.results?.[0]?.content?.[0]?.text ?? '';
    }
    assert.match(content, /Bananas are yellow/);
  });

  test('a run on an expired vector store is refused with a clear error', async () => {
    const store = await client.vectorStores.create({ name: 'short-lived' });
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'hi' }] });
    await fixture.server.stop();
    const { withBackendDb } = await import('./helpers/backend-db.js');
    const changed = await withBackendDb(fixture.server.dataDir, (db) =>
      db.run('UPDATE vector_stores SET expires_at = 1 WHERE id = ?', [store.id]),
    );
    assert.equal(changed, 1);
    const { startTestServer } = await import('./helpers/test-server.js');
    const { sdkClient } = await import('./helpers/client.js');
    const restarted = await startTestServer({
      dataDir: fixture.server.dataDir,
      env: { OPENAI_BASE_URL: fixture.upstream.baseURL, EMBEDDING_MODEL: 'none', INGESTION_SWEEP_INTERVAL_MS: '50' },
    });
    try {
      const again = sdkClient(restarted);
      await pollUntil(async () => (await again.vectorStores.retrieve(store.id)).status === 'expired', {
        what: 'the store to be marked expired',
        intervalMs: 50,
      });
      await assert.rejects(
        again.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }),
        (error: unknown) => {
          assert.ok(error instanceof OpenAI.BadRequestError);
          assert.match(error.message, new RegExp(`Vector store ${store.id} has expired`));
          return true;
        },
      );
    } finally {
      await restarted.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { waitForStore } from './helpers/vector-store-helpers.js';

let fixture: RunFixture;
let client: OpenAI;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
});

after(async () => {
  await fixture.close();
});

async function textFile(name: string, text: string) {
  return client.files.create({ file: await OpenAI.toFile(Buffer.from(text), name), purpose: 'assistants' });
}

describe('file_search tool resources', () => {
  test('vector_store_ids must name vector stores of the project', async () => {
    await assert.rejects(
      client.beta.assistants.create({
        model: 'gpt-4o',
        tool_resources: { file_search: { vector_store_ids: ['vs_missing'] } },
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError);
        assert.equal(error.param, 'tool_resources.file_search.vector_store_ids');
        assert.match(error.message, /No vector store found with id 'vs_missing'/);
        return true;
      },
    );
    const store = await client.vectorStores.create({ name: 'real' });
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    assert.deepEqual(assistant.tool_resources?.file_search?.vector_store_ids, [store.id]);
  });

  test('an inline vector store is created with its files for an assistant', async () => {
    const file = await textFile('handbook.txt', 'Employees get thirty days of paid leave.');
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_stores: [{ file_ids: [file.id], metadata: { source: 'inline' } }] } },
    });
    const [storeId] = assistant.tool_resources?.file_search?.vector_store_ids ?? [];
    assert.match(storeId ?? '', /^vs_/);
    const store = await waitForStore(client, storeId!);
    assert.deepEqual(store.metadata, { source: 'inline' });
    assert.equal(store.file_counts.completed, 1);
  });

  test('an inline vector store is created for a thread', async () => {
    const file = await textFile('notes.txt', 'The launch is on Tuesday.');
    const thread = await client.beta.threads.create({
      tool_resources: { file_search: { vector_stores: [{ file_ids: [file.id] }] } },
    });
    const storeId = thread.tool_resources?.file_search?.vector_store_ids?.[0];
    assert.equal((await waitForStore(client, storeId!)).file_counts.completed, 1);
  });
});

describe('message attachments', () => {
  test('a file_search attachment creates the thread’s vector store, expiring after 7 days of inactivity', async () => {
    const file = await textFile('policy.md', '# Travel policy\nBook economy class for flights under six hours.');
    const thread = await client.beta.threads.create();
    await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'What is the travel policy?',
      attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
    });
    const updated = await client.beta.threads.retrieve(thread.id);
    const storeId = updated.tool_resources?.file_search?.vector_store_ids?.[0];
    assert.match(storeId ?? '', /^vs_/);
    const store = await waitForStore(client, storeId!);
    assert.deepEqual(store.expires_after, { anchor: 'last_active_at', days: 7 });
    assert.equal(store.file_counts.completed, 1);
    const results = await client.vectorStores.search(storeId!, { query: 'economy class flights' });
    assert.equal(results.data[0]?.file_id, file.id);

    const second = await textFile('extra.txt', 'Hotels must be booked through the portal.');
    await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'And hotels?',
      attachments: [{ file_id: second.id, tools: [{ type: 'file_search' }] }],
    });
    assert.deepEqual((await client.beta.threads.retrieve(thread.id)).tool_resources?.file_search?.vector_store_ids, [
      storeId,
    ]);
    assert.equal((await waitForStore(client, storeId!)).file_counts.completed, 2);
  });

  test('initial thread messages with attachments get the thread a vector store too', async () => {
    const file = await textFile('faq.txt', 'Support is open from nine to five.');
    const thread = await client.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'When is support open?',
          attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
        },
      ],
    });
    const storeId = thread.tool_resources?.file_search?.vector_store_ids?.[0];
    assert.equal((await waitForStore(client, storeId!)).file_counts.completed, 1);
  });

  test('a code_interpreter-only attachment creates no vector store', async () => {
    const file = await textFile('data.csv', 'a,b\n1,2\n');
    const thread = await client.beta.threads.create();
    await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'Plot it',
      attachments: [{ file_id: file.id, tools: [{ type: 'code_interpreter' }] }],
    });
    assert.equal((await client.beta.threads.retrieve(thread.id)).tool_resources?.file_search, undefined);
  });
});

describe('search with rewrite_query', () => {
  test('the query is rewritten into search terms, echoed in search_query, and still finds the passage', async () => {
    const file = await textFile('geo.txt', 'Paris is the capital of France.');
    const store = await client.vectorStores.create({ name: 'geo', file_ids: [file.id] });
    await waitForStore(client, store.id);
    const page = await client.vectorStores.search(store.id, {
      query: 'What is the capital of France?',
      rewrite_query: true,
    });
    assert.equal(page.data[0]?.file_id, file.id);
    const raw = await fetch(`${fixture.server.baseURL}/vector_stores/${store.id}/search`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify({ query: ['What is the capital of France?', 'Paris'], rewrite_query: true }),
    });
    assert.deepEqual(((await raw.json()) as { search_query: string[] }).search_query, ['capital france', 'paris']);
  });
});

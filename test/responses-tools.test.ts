import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { rejectsWith } from './helpers/file-fixtures.js';
import {
  chatRequests,
  collectEvents,
  eventTypes,
  MODEL,
  weatherFunction,
  withoutSdkFields,
} from './helpers/responses-e2e.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { lastToolOutput } from './helpers/run-helpers.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';
import type { RecordedRequest } from './upstream/index.js';

/*
 * The built-in tools of a response against a real server: file_search over the request's vector stores (filters,
 * max_num_results, results with include, file_citation annotations) and code_interpreter in a container (auto with
 * files, or one made with the Containers API) on the real sandbox; max_tool_calls; tools the server does not serve.
 * Streamed and not, every stream event checked against the contract.
 */

const SANDBOX_TIMEOUT = { timeout: 120_000 };

let fixture: RunFixture;
let client: OpenAI;
let vectorStoreId: string;
let franceFileId: string;
let germanyFileId: string;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
  const france = await uploadFile(client, 'france.txt', 'The capital of France is Paris. Paris lies on the Seine.');
  const germany = await uploadFile(
    client,
    'germany.txt',
    'The capital of Germany is Berlin. Berlin lies on the Spree.',
  );
  const spain = await uploadFile(client, 'spain.txt', 'The capital of Spain is Madrid. Madrid lies on the Manzanares.');
  franceFileId = france.id;
  germanyFileId = germany.id;
  vectorStoreId = (await client.vectorStores.create({ name: 'capitals' })).id;
  for (const [file, country] of [
    [france, 'fr'],
    [germany, 'de'],
    [spain, 'es'],
  ] as const) {
    await client.vectorStores.files.create(vectorStoreId, { file_id: file.id, attributes: { country } });
  }
  await waitForStore(client, vectorStoreId);
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

/** The model's answer after a file_search call: it quotes the first source marker it was given. */
function citeFirstMarker(request: RecordedRequest) {
  const marker = /【\d+:\d+†[^】]*】/.exec(lastToolOutput(request))?.[0] ?? '(no marker offered)';
  return { text: ['The capital is here ', `${marker}.`] };
}

function search(queries: string[]) {
  return { toolCalls: [{ name: 'file_search', arguments: { queries } }] };
}

function code(source: string) {
  return { toolCalls: [{ name: 'code_interpreter', arguments: { code: source }, argumentChunks: 3 }] };
}

/** The names of the tools the n-th chat request offered the model. */
function offeredTools(request: RecordedRequest | undefined): string[] {
  return ((request?.body.tools ?? []) as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
}

describe('file_search', () => {
  test('searches the vector stores; results only with include; the answer cites the file', async () => {
    fixture.upstream.script(search(['capital of France']), citeFirstMarker);
    const response = await client.responses.create({
      model: MODEL,
      input: 'What is the capital of France?',
      tools: [{ type: 'file_search', vector_store_ids: [vectorStoreId] }],
      include: ['file_search_call.results'],
    });
    assert.equal(response.status, 'completed');
    assert.deepEqual(offeredTools(chatRequests(fixture)[0]), ['file_search']);
    assert.match(lastToolOutput(chatRequests(fixture)[1]!), /capital of France is Paris/);
    const [call, answer] = response.output as [
      OpenAI.Responses.ResponseFileSearchToolCall,
      OpenAI.Responses.ResponseOutputMessage,
    ];
    assert.equal(call.type, 'file_search_call');
    assert.match(call.id, /^fs_/);
    assert.equal(call.status, 'completed');
    assert.deepEqual(call.queries, ['capital of France']);
    assert.ok(call.results && call.results.length >= 1);
    assert.equal(call.results[0]!.file_id, franceFileId);
    assert.equal(call.results[0]!.filename, 'france.txt');
    assert.match(call.results[0]!.text ?? '', /capital of France is Paris/);
    assert.deepEqual(call.results[0]!.attributes, { country: 'fr' });
    const part = answer.content[0] as OpenAI.Responses.ResponseOutputText;
    assert.equal(part.annotations.length, 1);
    const citation = part.annotations[0] as OpenAI.Responses.ResponseOutputText.FileCitation;
    assert.equal(citation.type, 'file_citation');
    assert.equal(citation.file_id, franceFileId);
    assert.equal(citation.filename, 'france.txt');
    assert.ok(citation.index >= 0 && citation.index <= part.text.length);

    // Without include the stored call keeps its results, shown only when asked.
    const plain = await client.responses.retrieve(response.id);
    assert.equal((plain.output[0] as OpenAI.Responses.ResponseFileSearchToolCall).results, null);
    const asked = await client.responses.retrieve(response.id, { include: ['file_search_call.results'] });
    assert.deepEqual((asked.output[0] as OpenAI.Responses.ResponseFileSearchToolCall).results, call.results);
  });

  test('filters narrow the search to files whose attributes match; max_num_results caps the results', async () => {
    fixture.upstream.script(search(['capital']), { text: 'Berlin.' });
    const filtered = await client.responses.create({
      model: MODEL,
      input: 'Capital?',
      tools: [
        {
          type: 'file_search',
          vector_store_ids: [vectorStoreId],
          filters: { type: 'eq', key: 'country', value: 'de' },
        },
      ],
      include: ['file_search_call.results'],
    });
    const results = (filtered.output[0] as OpenAI.Responses.ResponseFileSearchToolCall).results!;
    assert.deepEqual(
      results.map((result) => result.file_id),
      [germanyFileId],
    );
    assert.match(lastToolOutput(chatRequests(fixture)[1]!), /Berlin/);
    assert.doesNotMatch(lastToolOutput(chatRequests(fixture)[1]!), /Paris|Madrid/);
    assert.deepEqual(filtered.tools[0], {
      type: 'file_search',
      vector_store_ids: [vectorStoreId],
      filters: { type: 'eq', key: 'country', value: 'de' },
      max_num_results: 20,
      ranking_options: { ranker: 'auto', score_threshold: 0 },
    });

    fixture.upstream.reset();
    fixture.upstream.script(search(['capital']), { text: 'Several.' });
    const capped = await client.responses.create({
      model: MODEL,
      input: 'Capitals?',
      tools: [
        {
          type: 'file_search',
          vector_store_ids: [vectorStoreId],
          max_num_results: 2,
          filters: {
            type: 'or',
            filters: [
              { type: 'eq', key: 'country', value: 'fr' },
              { type: 'eq', key: 'country', value: 'es' },
              { type: 'eq', key: 'country', value: 'de' },
            ],
          },
        },
      ],
      include: ['file_search_call.results'],
    });
    const cappedResults = (capped.output[0] as OpenAI.Responses.ResponseFileSearchToolCall).results!;
    assert.equal(cappedResults.length, 2);
  });

  test('an unknown vector store is a 404 naming it; nothing reaches the model', async () => {
    await rejectsWith(
      client.responses.create({
        model: MODEL,
        input: 'Hi',
        tools: [{ type: 'file_search', vector_store_ids: ['vs_missing'] }],
      }),
      { status: 404, message: 'vs_missing' },
    );
    assert.equal(chatRequests(fixture).length, 0);
  });

  test('streamed: in_progress, searching, completed, the citation as output_text.annotation.added; results with attributes', async () => {
    fixture.upstream.script(search(['capital of France']), citeFirstMarker);
    const stream = client.responses.stream({
      model: MODEL,
      input: 'What is the capital of France?',
      tools: [{ type: 'file_search', vector_store_ids: [vectorStoreId] }],
      include: ['file_search_call.results'],
    });
    const events = await collectEvents(stream);
    const final = await stream.finalResponse();
    const types = eventTypes(events);
    assert.deepEqual(
      types.filter((type) => type.startsWith('response.file_search_call.')),
      [
        'response.file_search_call.in_progress',
        'response.file_search_call.searching',
        'response.file_search_call.completed',
      ],
    );
    assert.ok(types.indexOf('response.file_search_call.completed') < types.indexOf('response.output_text.delta'));
    const annotations = events.filter(
      (event): event is OpenAI.Responses.ResponseOutputTextAnnotationAddedEvent =>
        event.type === 'response.output_text.annotation.added',
    );
    assert.equal(annotations.length, 1);
    assert.deepEqual(annotations[0]!.annotation, {
      type: 'file_citation',
      file_id: franceFileId,
      filename: 'france.txt',
      index: (annotations[0]!.annotation as { index: number }).index,
    });
    const call = final.output[0] as OpenAI.Responses.ResponseFileSearchToolCall;
    assert.deepEqual(call.queries, ['capital of France']);
    assert.equal(call.results?.[0]?.file_id, franceFileId);
    assert.deepEqual(call.results?.[0]?.attributes, { country: 'fr' }, 'as a retrieved response shows them');
    const retrieved = await client.responses.retrieve(final.id, { include: ['file_search_call.results'] });
    assert.deepEqual(retrieved.output[0], call);
    const withoutInclude = await client.responses.retrieve(final.id);
    assert.equal((withoutInclude.output[0] as OpenAI.Responses.ResponseFileSearchToolCall).results, null);

    // Streamed without include: the call shows no results, in its events as in the final response.
    fixture.upstream.script(search(['capital of France']), citeFirstMarker);
    const plainStream = client.responses.stream({
      model: MODEL,
      input: 'What is the capital of France?',
      tools: [{ type: 'file_search', vector_store_ids: [vectorStoreId] }],
    });
    const plainEvents = await collectEvents(plainStream);
    const plainCall = (await plainStream.finalResponse()).output[0] as OpenAI.Responses.ResponseFileSearchToolCall;
    assert.equal(plainCall.results, null);
    const doneItems = plainEvents.filter(
      (event): event is OpenAI.Responses.ResponseOutputItemDoneEvent =>
        event.type === 'response.output_item.done' && event.item.type === 'file_search_call',
    );
    assert.deepEqual(
      doneItems.map((event) => (event.item as OpenAI.Responses.ResponseFileSearchToolCall).results),
      [null],
    );
    const message = final.output[1] as OpenAI.Responses.ResponseOutputMessage;
    assert.deepEqual((message.content[0] as OpenAI.Responses.ResponseOutputText).annotations, [
      annotations[0]!.annotation,
    ]);
  });
});

describe('code_interpreter', () => {
  test(
    'container auto with file_ids: the file is in /mnt/data; outputs only with include',
    SANDBOX_TIMEOUT,
    async () => {
      const csv = await uploadFile(client, 'numbers.csv', 'n\n1\n2\n39\n');
      fixture.upstream.script(code("print(sum(int(x) for x in open('/mnt/data/numbers.csv').read().split()[1:]))"), {
        text: 'The sum is 42.',
      });
      const response = await client.responses.create({
        model: MODEL,
        input: 'Sum the numbers in the file.',
        tools: [{ type: 'code_interpreter', container: { type: 'auto', file_ids: [csv.id] } }],
        include: ['code_interpreter_call.outputs'],
      });
      assert.equal(response.status, 'completed', JSON.stringify(response.error));
      assert.deepEqual(offeredTools(chatRequests(fixture)[0]), ['code_interpreter']);
      const call = response.output[0] as OpenAI.Responses.ResponseCodeInterpreterToolCall;
      assert.equal(call.type, 'code_interpreter_call');
      assert.match(call.id, /^ci_/);
      assert.equal(call.status, 'completed');
      assert.match(call.container_id, /^cntr_/);
      assert.match(call.code ?? '', /numbers\.csv/);
      assert.deepEqual(call.outputs, [{ type: 'logs', logs: '42' }]);
      assert.equal(response.output_text, 'The sum is 42.');
      // The auto container is a container of the project, holding the file.
      const container = await client.containers.retrieve(call.container_id);
      assert.equal(container.id, call.container_id);
      const files = await client.containers.files.list(call.container_id);
      assert.ok(
        files.data.some((file) => file.path.endsWith('numbers.csv')),
        JSON.stringify(files.data),
      );

      const plain = await client.responses.retrieve(response.id);
      assert.equal((plain.output[0] as OpenAI.Responses.ResponseCodeInterpreterToolCall).outputs, null);
    },
  );

  test(
    'code that raises: the call completes with the traceback as its logs; the model reads it',
    SANDBOX_TIMEOUT,
    async () => {
      fixture.upstream.script(code('1/0'), { text: 'That divides by zero.' });
      const response = await client.responses.create({
        model: MODEL,
        input: 'What is 1/0?',
        tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
        include: ['code_interpreter_call.outputs'],
      });
      assert.equal(response.status, 'completed');
      const call = response.output[0] as OpenAI.Responses.ResponseCodeInterpreterToolCall;
      assert.equal(call.status, 'completed');
      const logs = (call.outputs as Array<{ type: string; logs: string }>)[0]!;
      assert.equal(logs.type, 'logs');
      assert.match(logs.logs, /ZeroDivisionError: division by zero/);
      assert.match(lastToolOutput(chatRequests(fixture).at(-1)!), /ZeroDivisionError/);
      assert.equal(response.output_text, 'That divides by zero.');
    },
  );

  test(
    'a container made with the Containers API: a file the code writes is cited with container_file_citation',
    SANDBOX_TIMEOUT,
    async () => {
      const container = await client.containers.create({ name: 'reports' });
      fixture.upstream.script(code("open('/mnt/data/report.csv', 'w').write('a,b\\n1,2\\n')"), {
        text: 'Download it: [report](sandbox:/mnt/data/report.csv).',
      });
      const response = await client.responses.create({
        model: MODEL,
        input: 'Make a CSV.',
        tools: [{ type: 'code_interpreter', container: container.id }],
      });
      assert.equal(response.status, 'completed', JSON.stringify(response.error));
      const call = response.output[0] as OpenAI.Responses.ResponseCodeInterpreterToolCall;
      assert.equal(call.container_id, container.id);
      assert.equal(call.outputs, null);
      const message = response.output[1] as OpenAI.Responses.ResponseOutputMessage;
      const part = message.content[0] as OpenAI.Responses.ResponseOutputText;
      assert.equal(part.annotations.length, 1);
      const citation = part.annotations[0] as OpenAI.Responses.ResponseOutputText.ContainerFileCitation;
      assert.equal(citation.type, 'container_file_citation');
      assert.equal(citation.container_id, container.id);
      assert.equal(citation.filename, 'report.csv');
      assert.match(citation.file_id, /^cfile_/);
      assert.equal(part.text.slice(citation.start_index, citation.end_index), 'sandbox:/mnt/data/report.csv');
      const content = await client.containers.files.content.retrieve(citation.file_id, { container_id: container.id });
      assert.equal(await content.text(), 'a,b\n1,2\n');
    },
  );

  test(
    'streamed: code deltas, interpreting, completed; the container on the item; a written file cited',
    SANDBOX_TIMEOUT,
    async () => {
      const source = "open('/mnt/data/answer.txt', 'w').write('42')\nprint(6 * 7)";
      fixture.upstream.script(code(source), { text: ['42. Saved as ', 'sandbox:/mnt/data/answer.txt', '.'] });
      const stream = client.responses.stream({
        model: MODEL,
        input: 'What is 6 times 7? Save it.',
        tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
        include: ['code_interpreter_call.outputs'],
      });
      const events = await collectEvents(stream);
      const final = await stream.finalResponse();
      const codeEvents = eventTypes(events).filter((type) => type.startsWith('response.code_interpreter_call'));
      assert.equal(codeEvents[0], 'response.code_interpreter_call.in_progress');
      assert.deepEqual(codeEvents.slice(-3), [
        'response.code_interpreter_call_code.done',
        'response.code_interpreter_call.interpreting',
        'response.code_interpreter_call.completed',
      ]);
      const deltas = events.filter(
        (event): event is OpenAI.Responses.ResponseCodeInterpreterCallCodeDeltaEvent =>
          event.type === 'response.code_interpreter_call_code.delta',
      );
      assert.ok(deltas.length >= 1);
      assert.equal(deltas.map((event) => event.delta).join(''), source);
      const codeDone = events.find(
        (event): event is OpenAI.Responses.ResponseCodeInterpreterCallCodeDoneEvent =>
          event.type === 'response.code_interpreter_call_code.done',
      )!;
      assert.equal(codeDone.code, source);
      const added = events.find(
        (event): event is OpenAI.Responses.ResponseOutputItemAddedEvent =>
          event.type === 'response.output_item.added' && event.item.type === 'code_interpreter_call',
      )!;
      const call = final.output[0] as OpenAI.Responses.ResponseCodeInterpreterToolCall;
      assert.equal((added.item as OpenAI.Responses.ResponseCodeInterpreterToolCall).container_id, call.container_id);
      assert.match(call.container_id, /^cntr_/);
      assert.deepEqual(call.outputs, [{ type: 'logs', logs: '42' }]);
      assert.equal(final.output_text, '42. Saved as sandbox:/mnt/data/answer.txt.');

      const annotations = events.filter(
        (event): event is OpenAI.Responses.ResponseOutputTextAnnotationAddedEvent =>
          event.type === 'response.output_text.annotation.added',
      );
      assert.equal(annotations.length, 1);
      const citation = annotations[0]!.annotation as OpenAI.Responses.ResponseOutputText.ContainerFileCitation;
      assert.equal(citation.type, 'container_file_citation');
      assert.equal(citation.container_id, call.container_id);
      assert.equal(citation.filename, 'answer.txt');
      const message = final.output[1] as OpenAI.Responses.ResponseOutputMessage;
      assert.deepEqual((message.content[0] as OpenAI.Responses.ResponseOutputText).annotations, [citation]);
      const content = await client.containers.files.content.retrieve(citation.file_id, {
        container_id: call.container_id,
      });
      assert.equal(await content.text(), '42');
      const retrieved = await client.responses.retrieve(final.id, { include: ['code_interpreter_call.outputs'] });
      assert.deepEqual(withoutSdkFields(retrieved), withoutSdkFields(final));
    },
  );
});

describe('tool limits and refusals', () => {
  test('max_tool_calls: once the built-in calls are used up, the model is no longer offered them', async () => {
    fixture.upstream.script(search(['capital of France']), { text: 'Paris, I think.' });
    const response = await client.responses.create({
      model: MODEL,
      input: 'Capital of France?',
      tools: [{ type: 'file_search', vector_store_ids: [vectorStoreId] }, weatherFunction],
      max_tool_calls: 1,
    });
    assert.equal(response.status, 'completed');
    assert.equal(response.max_tool_calls, 1);
    const [first, second] = chatRequests(fixture);
    assert.deepEqual(offeredTools(first), ['file_search', 'get_weather']);
    assert.deepEqual(offeredTools(second), ['get_weather'], 'the second call offers no built-in tool');
    assert.deepEqual(
      response.output.map((item) => item.type),
      ['file_search_call', 'message'],
    );
  });

  for (const [index, tool] of [
    { type: 'web_search' },
    { type: 'web_search_preview' },
    { type: 'image_generation' },
    { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' },
    { type: 'mcp', server_label: 'deepwiki', server_url: 'https://mcp.deepwiki.com/mcp' },
    { type: 'local_shell' },
    { type: 'shell' },
    { type: 'apply_patch' },
    { type: 'custom', name: 'grammar_tool' },
  ].entries()) {
    test(`a ${tool.type} tool is a 400 naming it and tools[i].type`, async () => {
      await rejectsWith(
        client.responses.create({
          model: MODEL,
          input: 'Hi',
          tools: [weatherFunction, tool as unknown as OpenAI.Responses.Tool],
        }),
        { status: 400, param: 'tools[1].type', message: `'${tool.type}'` },
      );
      assert.equal(chatRequests(fixture).length, 0, `case ${index}: nothing reached the model`);
    });
  }
});

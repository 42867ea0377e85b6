import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  chatRequests,
  createAssistant,
  lastToolOutput,
  messageText,
  threadAndRunStream,
  weatherTool,
} from './helpers/run-helpers.js';
import { ANSWER, OPENING, RESUMING, SDK_ANSWER, TOOL_STEP } from './helpers/stream-expectations.js';
import { completedToolCalls, recordStream, validatedEventNames } from './helpers/stream-recorder.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';
import type { RecordedRequest } from './upstream/index.js';

/*
 * file_search and code_interpreter through the streamed entry points other than `runs.stream`: createThreadAndRun
 * (`createAndRunStream`, `createAndRun({ stream: true })`) and `submitToolOutputsStream`. Each test pins the order
 * of the raw events and of the SDK's callbacks (`AssistantStream`), the final statuses and the content.
 */

type RunStep = OpenAI.Beta.Threads.Runs.RunStep;

let fixture: RunFixture;
let client: OpenAI;
let vectorStoreId: string;
let franceFileId: string;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
  const france = await uploadFile(
    client,
    'france.txt',
    'The capital of France is Paris. The Eiffel Tower is 330 m tall.',
  );
  const bananas = await uploadFile(client, 'bananas.txt', 'Bananas are yellow and rich in potassium.');
  franceFileId = france.id;
  vectorStoreId = (await client.vectorStores.create({ name: 'facts', file_ids: [france.id, bananas.id] })).id;
  await waitForStore(client, vectorStoreId);
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

/** The model's answer after a file_search call: it quotes the first source marker it was given. */
function citeFirstMarker(request: RecordedRequest) {
  const marker = /【\d+:\d+†[^】]*】/.exec(lastToolOutput(request))?.[0] ?? '(no marker offered)';
  return { text: `Paris is the capital ${marker}.` };
}

function code(source: string) {
  return { toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] };
}

test('createAndRunStream with file_search: the step streams with its results, the answer cites the file', async () => {
  fixture.upstream.script(
    { toolCalls: [{ name: 'file_search', arguments: { queries: ['capital of France'] } }] },
    citeFirstMarker,
  );
  const assistant = await createAssistant(fixture, {
    tools: [{ type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
  });
  const stepsDone: RunStep[] = [];
  const textsDone: OpenAI.Beta.Threads.Text[] = [];
  const stream = threadAndRunStream(fixture, assistant.id, 'What is the capital of France?')
    .on('runStepDone', (step) => stepsDone.push(step))
    .on('textDone', (text) => textsDone.push(text));
  const recording = recordStream(stream);
  const run = await stream.finalRun();

  assert.deepEqual(validatedEventNames(recording), [
    ...OPENING,
    ...TOOL_STEP,
    'thread.run.step.completed',
    ...ANSWER,
    'thread.run.completed',
  ]);
  assert.deepEqual(recording.callbacks, [
    'connect',
    'runStepCreated:tool_calls',
    'toolCallCreated:file_search',
    'toolCallDone:file_search',
    'runStepDone:tool_calls:completed',
    ...SDK_ANSWER,
    'run:completed',
    'end',
  ]);
  assert.equal(run.status, 'completed');
  assert.match(lastToolOutput(chatRequests(fixture).at(-1)!), /The capital of France is Paris/);

  const toolStep = stepsDone.find((step) => step.type === 'tool_calls')!;
  assert.ok(toolStep.step_details.type === 'tool_calls');
  const call = toolStep.step_details.tool_calls[0]!;
  assert.ok(call.type === 'file_search');
  assert.deepEqual(call.file_search.results?.map((result) => [result.file_id, result.file_name]).slice(0, 1), [
    [franceFileId, 'france.txt'],
  ]);

  assert.equal(textsDone.length, 1);
  assertCitesFrance(textsDone[0]!);
  const [answer] = await stream.finalMessages();
  assertCitesFrance((answer!.content[0] as OpenAI.Beta.Threads.TextContentBlock).text);
});

/** The answer quotes one marker, and its single file_citation annotation slices exactly that marker. */
function assertCitesFrance(text: OpenAI.Beta.Threads.Text): void {
  assert.match(text.value, /^Paris is the capital 【0:0†france\.txt】\.$/);
  assert.equal(text.annotations.length, 1);
  const citation = text.annotations[0]!;
  assert.ok(citation.type === 'file_citation');
  assert.equal(citation.file_citation.file_id, franceFileId);
  assert.equal(citation.text, '【0:0†france.txt】');
  assert.equal(text.value.slice(citation.start_index, citation.end_index), citation.text);
}

test('submitToolOutputsStream continuing into file_search streams the search step and a cited answer', async () => {
  fixture.upstream.script(
    { toolCalls: [{ id: 'call_topic', name: 'get_weather', arguments: { city: 'Paris' } }] },
    { toolCalls: [{ name: 'file_search', arguments: { queries: ['capital of France'] } }] },
    citeFirstMarker,
  );
  const assistant = await createAssistant(fixture, {
    tools: [weatherTool, { type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
  });
  const waiting = await threadAndRunStream(fixture, assistant.id, 'Weather in the capital of France?').finalRun();
  assert.equal(waiting.status, 'requires_action');

  const textsDone: OpenAI.Beta.Threads.Text[] = [];
  const stream = client.beta.threads.runs
    .submitToolOutputsStream(waiting.id, {
      thread_id: waiting.thread_id,
      tool_outputs: [{ tool_call_id: 'call_topic', output: 'mild' }],
    })
    .on('textDone', (text) => textsDone.push(text));
  const recording = recordStream(stream);
  const run = await stream.finalRun();

  assert.deepEqual(validatedEventNames(recording), [
    ...RESUMING,
    ...TOOL_STEP,
    'thread.run.step.completed',
    ...ANSWER,
    'thread.run.completed',
  ]);
  assert.deepEqual(recording.callbacks, [
    'connect',
    'runStepDone:tool_calls:completed',
    'runStepCreated:tool_calls',
    'toolCallCreated:file_search',
    'toolCallDone:file_search',
    'runStepDone:tool_calls:completed',
    ...SDK_ANSWER,
    'run:completed',
    'end',
  ]);
  assert.equal(run.status, 'completed');
  const [functionCall, searchCall] = completedToolCalls(recording.events);
  assert.ok(functionCall?.type === 'function' && searchCall?.type === 'file_search');
  assert.equal(functionCall.function.output, 'mild');
  assert.equal(searchCall.file_search.results?.[0]?.file_id, franceFileId);
  assert.equal(textsDone.length, 1);
  assertCitesFrance(textsDone[0]!);
});

test('createAndRunStream with code_interpreter streams the code and its logs, then the answer', async () => {
  const source = 'print(6 * 7)';
  fixture.upstream.script(code(source), (request) => ({ text: `The answer is ${lastToolOutput(request).trim()}.` }));
  const assistant = await createAssistant(fixture, { tools: [{ type: 'code_interpreter' }] });
  let streamedInput = '';
  let streamedLogs = '';
  const stream = threadAndRunStream(fixture, assistant.id, 'What is 6 times 7?').on('toolCallDelta', (delta) => {
    if (delta.type !== 'code_interpreter') return;
    streamedInput += delta.code_interpreter?.input ?? '';
    for (const output of delta.code_interpreter?.outputs ?? []) {
      if (output.type === 'logs') streamedLogs += output.logs ?? '';
    }
  });
  const recording = recordStream(stream);
  const run = await stream.finalRun();

  assert.deepEqual(validatedEventNames(recording), [
    ...OPENING,
    ...TOOL_STEP,
    'thread.run.step.completed',
    ...ANSWER,
    'thread.run.completed',
  ]);
  assert.deepEqual(recording.callbacks, [
    'connect',
    'runStepCreated:tool_calls',
    'toolCallCreated:code_interpreter',
    'toolCallDelta:code_interpreter',
    'toolCallDone:code_interpreter',
    'runStepDone:tool_calls:completed',
    ...SDK_ANSWER,
    'run:completed',
    'end',
  ]);
  assert.equal(run.status, 'completed');
  assert.equal(streamedInput, source);
  assert.equal(streamedLogs, '42');
  const [call] = completedToolCalls(recording.events);
  assert.ok(call?.type === 'code_interpreter');
  assert.deepEqual(call.code_interpreter, { input: source, outputs: [{ type: 'logs', logs: '42' }] });
  assert.deepEqual((await stream.finalMessages()).map(messageText), ['The answer is 42.']);
});

test('createAndRun({ stream: true }) pauses for a function, submitToolOutputsStream runs code', async () => {
  fixture.upstream.script(
    { toolCalls: [{ id: 'call_count', name: 'get_weather', arguments: { city: 'Oslo' } }] },
    (request) => code(`print(int(${JSON.stringify(lastToolOutput(request))}) * 2)`),
    (request) => ({ text: `Twice that is ${lastToolOutput(request).trim()}.` }),
  );
  const assistant = await createAssistant(fixture, { tools: [weatherTool, { type: 'code_interpreter' }] });
  const raw = await client.beta.threads.createAndRun({
    assistant_id: assistant.id,
    thread: { messages: [{ role: 'user', content: 'Double the temperature in Oslo.' }] },
    stream: true,
  });
  const names: string[] = [];
  let waiting: OpenAI.Beta.Threads.Run | undefined;
  for await (const event of raw) {
    if (names.at(-1) !== event.event) names.push(event.event);
    if (event.event === 'thread.run.requires_action') waiting = event.data;
  }
  assert.deepEqual(names, [...OPENING, ...TOOL_STEP, 'thread.run.requires_action']);
  assert.ok(waiting);
  assert.deepEqual(
    waiting.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id),
    ['call_count'],
  );

  const stream = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
    thread_id: waiting.thread_id,
    tool_outputs: [{ tool_call_id: 'call_count', output: '21' }],
  });
  const recording = recordStream(stream);
  const run = await stream.finalRun();

  assert.deepEqual(validatedEventNames(recording), [
    ...RESUMING,
    ...TOOL_STEP,
    'thread.run.step.completed',
    ...ANSWER,
    'thread.run.completed',
  ]);
  assert.deepEqual(recording.callbacks, [
    'connect',
    'runStepDone:tool_calls:completed',
    'runStepCreated:tool_calls',
    'toolCallCreated:code_interpreter',
    'toolCallDelta:code_interpreter',
    'toolCallDone:code_interpreter',
    'runStepDone:tool_calls:completed',
    ...SDK_ANSWER,
    'run:completed',
    'end',
  ]);
  assert.equal(run.status, 'completed');
  const [, codeCall] = completedToolCalls(recording.events);
  assert.ok(codeCall?.type === 'code_interpreter');
  assert.deepEqual(codeCall.code_interpreter.outputs, [{ type: 'logs', logs: '42' }]);
  assert.deepEqual((await stream.finalMessages()).map(messageText), ['Twice that is 42.']);
});

// The SDK rejects a stream whose `thread.run.step.created` arrives while another step is still in progress, so the
// figure's message must wait until the tool step that drew it has ended.
test('a streamed code_interpreter figure: the tool step ends before the image message, which calls imageFileDone', async () => {
  fixture.upstream.script(code('import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.show()'), {
    text: 'Here is the chart.',
  });
  const assistant = await createAssistant(fixture, { tools: [{ type: 'code_interpreter' }] });
  const images: string[] = [];
  const stream = threadAndRunStream(fixture, assistant.id, 'Plot squares.').on('imageFileDone', (image) =>
    images.push(image.file_id),
  );
  const recording = recordStream(stream);
  const run = await stream.finalRun();

  assert.equal(run.status, 'completed');
  const toolStepDone = recording.callbacks.indexOf('runStepDone:tool_calls:completed');
  const messageStepCreated = recording.callbacks.indexOf('runStepCreated:message_creation');
  assert.ok(toolStepDone !== -1 && toolStepDone < messageStepCreated, recording.callbacks.join(', '));
  const [call] = completedToolCalls(recording.events);
  assert.ok(call?.type === 'code_interpreter');
  const image = call.code_interpreter.outputs.find((output) => output.type === 'image');
  assert.ok(image?.type === 'image');
  assert.deepEqual(images, [image.image.file_id]);
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  chatRequests,
  contentText,
  createAssistant,
  messageText,
  timeTool,
  upstreamMessages,
  weatherTool,
} from './helpers/run-helpers.js';
import { recordStream, validatedEventNames } from './helpers/stream-recorder.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';
import type { RecordedRequest } from './upstream/index.js';

/*
 * Tool calls through the two streamed entry points other than `runs.stream`: createThreadAndRun
 * (`createAndRunStream`, `createAndRun({ stream: true })`) and `submitToolOutputsStream`. Each test pins the
 * order of the raw events and of the SDK's callbacks (`AssistantStream`), the final statuses and the content.
 */

type RunStep = OpenAI.Beta.Threads.Runs.RunStep;
type ToolCall = OpenAI.Beta.Threads.Runs.ToolCall;
type StreamEvent = OpenAI.Beta.AssistantStreamEvent;

const OPENING = ['thread.created', 'thread.run.created', 'thread.run.queued', 'thread.run.in_progress'];
/** A submitToolOutputs stream: the function step completes with its outputs, then the run resumes. */
const RESUMING = ['thread.run.step.completed', 'thread.run.queued', 'thread.run.in_progress'];
const TOOL_STEP = ['thread.run.step.created', 'thread.run.step.in_progress', 'thread.run.step.delta'];
const ANSWER = [
  'thread.run.step.created',
  'thread.run.step.in_progress',
  'thread.message.created',
  'thread.message.in_progress',
  'thread.message.delta',
  'thread.message.completed',
  'thread.run.step.completed',
];
const SDK_ANSWER = [
  'runStepCreated:message_creation',
  'messageCreated',
  'textCreated',
  'textDelta',
  'textDone',
  'messageDone:completed',
  'runStepDone:message_creation:completed',
];
const SDK_FUNCTION_CALL = ['toolCallCreated:function', 'toolCallDelta:function', 'toolCallDone:function'];

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

/** The content of the last tool message the engine sent the model. */
function lastToolOutput(request: RecordedRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: string }>;
  return messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
}

/** The model's answer after a file_search call: it quotes the first source marker it was given. */
function citeFirstMarker(request: RecordedRequest) {
  const marker = /【\d+:\d+†[^】]*】/.exec(lastToolOutput(request))?.[0] ?? '(no marker offered)';
  return { text: `Paris is the capital ${marker}.` };
}

function code(source: string) {
  return { toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] };
}

/** A new thread holding `text`, and a streamed run of `assistantId` on it. */
function threadAndRunStream(assistantId: string, text: string) {
  return client.beta.threads.createAndRunStream({
    assistant_id: assistantId,
    thread: { messages: [{ role: 'user', content: text }] },
  });
}

/** The tool calls of the `thread.run.step.completed` events of tool_calls steps, in order. */
function completedToolCalls(events: readonly StreamEvent[]): ToolCall[] {
  return events.flatMap((event) =>
    event.event === 'thread.run.step.completed' && event.data.step_details.type === 'tool_calls'
      ? event.data.step_details.tool_calls
      : [],
  );
}

test('createAndRunStream stops at requires_action; submitToolOutputsStream streams on to completed', async () => {
  fixture.upstream.script(
    { toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: { city: 'Oslo' }, argumentChunks: 4 }] },
    { text: ['It is ', 'cold in Oslo.'] },
  );
  const assistant = await createAssistant(fixture, { tools: [weatherTool] });
  const calls: ToolCall[] = [];
  const first = threadAndRunStream(assistant.id, 'Weather in Oslo?').on('toolCallDone', (call) =>
    calls.push(structuredClone(call)),
  );
  const firstRecording = recordStream(first);
  const waiting = await first.finalRun();

  assert.deepEqual(validatedEventNames(firstRecording), [...OPENING, ...TOOL_STEP, 'thread.run.requires_action']);
  assert.deepEqual(firstRecording.callbacks, [
    'connect',
    'runStepCreated:tool_calls',
    ...SDK_FUNCTION_CALL,
    'run:requires_action',
    'end',
  ]);
  assert.equal(waiting.status, 'requires_action');
  assert.equal(waiting.thread_id, (firstRecording.events[0]!.data as OpenAI.Beta.Thread).id);
  const expectedCall = {
    id: 'call_weather',
    type: 'function',
    function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
  };
  assert.deepEqual(waiting.required_action?.submit_tool_outputs.tool_calls, [expectedCall]);
  assert.deepEqual(
    calls.map((call) => call.type === 'function' && call.function.arguments),
    ['{"city":"Oslo"}'],
  );

  const second = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
    thread_id: waiting.thread_id,
    tool_outputs: [{ tool_call_id: 'call_weather', output: '-5 C' }],
  });
  const secondRecording = recordStream(second);
  const finished = await second.finalRun();
  const messages = await second.finalMessages();

  assert.deepEqual(validatedEventNames(secondRecording), [...RESUMING, ...ANSWER, 'thread.run.completed']);
  assert.deepEqual(secondRecording.callbacks, [
    'connect',
    'runStepDone:tool_calls:completed',
    ...SDK_ANSWER,
    'run:completed',
    'end',
  ]);
  assert.equal(finished.id, waiting.id);
  assert.equal(finished.status, 'completed');
  assert.equal(finished.required_action, null);
  assert.deepEqual(messages.map(messageText), ['It is cold in Oslo.']);
  assert.deepEqual(completedToolCalls(secondRecording.events), [
    { ...expectedCall, function: { ...expectedCall.function, output: '-5 C' } },
  ]);
  const toolTurn = upstreamMessages(fixture, 1).at(-1)!;
  assert.deepEqual([toolTurn.role, toolTurn.tool_call_id, contentText(toolTurn)], ['tool', 'call_weather', '-5 C']);
  const stored = await client.beta.threads.messages.list(waiting.thread_id, { order: 'asc' });
  assert.deepEqual(stored.data.map(messageText), ['Weather in Oslo?', 'It is cold in Oslo.']);
});

test('createAndRunStream with parallel calls: each created and done in turn, all outputs in one submit', async () => {
  fixture.upstream.script(
    {
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Rome' } },
        { name: 'get_time', arguments: { city: 'Tokyo' } },
      ],
    },
    { text: 'Sunny in Rome, 9 pm in Tokyo.' },
  );
  const assistant = await createAssistant(fixture, { tools: [weatherTool, timeTool] });
  const done: ToolCall[] = [];
  const first = threadAndRunStream(assistant.id, 'Rome weather and Tokyo time?').on('toolCallDone', (call) =>
    done.push(structuredClone(call)),
  );
  const firstRecording = recordStream(first);
  const waiting = await first.finalRun();

  assert.deepEqual(validatedEventNames(firstRecording), [...OPENING, ...TOOL_STEP, 'thread.run.requires_action']);
  assert.deepEqual(firstRecording.callbacks, [
    'connect',
    'runStepCreated:tool_calls',
    ...SDK_FUNCTION_CALL,
    ...SDK_FUNCTION_CALL,
    'run:requires_action',
    'end',
  ]);
  const calls = waiting.required_action!.submit_tool_outputs.tool_calls;
  assert.deepEqual(
    calls.map((call) => [call.function.name, call.function.arguments]),
    [
      ['get_weather', '{"city":"Rome"}'],
      ['get_time', '{"city":"Tokyo"}'],
    ],
  );
  assert.notEqual(calls[0]!.id, calls[1]!.id);
  assert.deepEqual(
    done.map((call) => call.id),
    calls.map((call) => call.id),
    'toolCallDone once per call, in order',
  );

  // Outputs in the opposite order: they are matched by call id, not by position.
  const second = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
    thread_id: waiting.thread_id,
    tool_outputs: [
      { tool_call_id: calls[1]!.id, output: '21:00' },
      { tool_call_id: calls[0]!.id, output: 'sunny' },
    ],
  });
  const secondRecording = recordStream(second);
  const finished = await second.finalRun();

  assert.deepEqual(validatedEventNames(secondRecording), [...RESUMING, ...ANSWER, 'thread.run.completed']);
  assert.deepEqual(secondRecording.callbacks, [
    'connect',
    'runStepDone:tool_calls:completed',
    ...SDK_ANSWER,
    'run:completed',
    'end',
  ]);
  assert.equal(finished.status, 'completed');
  assert.deepEqual((await second.finalMessages()).map(messageText), ['Sunny in Rome, 9 pm in Tokyo.']);
  assert.deepEqual(
    completedToolCalls(secondRecording.events).map(
      (call) => call.type === 'function' && [call.id, call.function.output],
    ),
    [
      [calls[0]!.id, 'sunny'],
      [calls[1]!.id, '21:00'],
    ],
  );
  const toolTurns = upstreamMessages(fixture, 1).filter((message) => message.role === 'tool');
  assert.deepEqual(
    toolTurns.map((message) => [message.tool_call_id, contentText(message)]),
    [
      [calls[0]!.id, 'sunny'],
      [calls[1]!.id, '21:00'],
    ],
  );
});

test('submitToolOutputsStream can stop at requires_action again, and the next one completes the run', async () => {
  fixture.upstream.script(
    { toolCalls: [{ id: 'call_first', name: 'get_weather', arguments: { city: 'Rome' } }] },
    { toolCalls: [{ id: 'call_second', name: 'get_time', arguments: { city: 'Rome' } }] },
    { text: 'Sunny at noon.' },
  );
  const assistant = await createAssistant(fixture, { tools: [weatherTool, timeTool] });
  const waiting = await threadAndRunStream(assistant.id, 'Weather and time in Rome?').finalRun();
  assert.equal(waiting.status, 'requires_action');

  const middle = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
    thread_id: waiting.thread_id,
    tool_outputs: [{ tool_call_id: 'call_first', output: 'sunny' }],
  });
  const middleRecording = recordStream(middle);
  const again = await middle.finalRun();
  assert.deepEqual(validatedEventNames(middleRecording), [...RESUMING, ...TOOL_STEP, 'thread.run.requires_action']);
  assert.deepEqual(middleRecording.callbacks, [
    'connect',
    'runStepDone:tool_calls:completed',
    'runStepCreated:tool_calls',
    ...SDK_FUNCTION_CALL,
    'run:requires_action',
    'end',
  ]);
  assert.equal(again.status, 'requires_action');
  assert.deepEqual(
    again.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id),
    ['call_second'],
  );
  assert.deepEqual(await middle.finalMessages(), []);

  const last = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
    thread_id: waiting.thread_id,
    tool_outputs: [{ tool_call_id: 'call_second', output: '12:00' }],
  });
  const lastRecording = recordStream(last);
  const finished = await last.finalRun();
  assert.deepEqual(validatedEventNames(lastRecording), [...RESUMING, ...ANSWER, 'thread.run.completed']);
  assert.equal(finished.status, 'completed');
  assert.deepEqual((await last.finalMessages()).map(messageText), ['Sunny at noon.']);
  const steps = await client.beta.threads.runs.steps.list(waiting.id, { thread_id: waiting.thread_id, order: 'asc' });
  assert.deepEqual(
    steps.data.map((step) => [step.type, step.status]),
    [
      ['tool_calls', 'completed'],
      ['tool_calls', 'completed'],
      ['message_creation', 'completed'],
    ],
  );
});

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
  const stream = threadAndRunStream(assistant.id, 'What is the capital of France?')
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
  const waiting = await threadAndRunStream(assistant.id, 'Weather in the capital of France?').finalRun();
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
  const stream = threadAndRunStream(assistant.id, 'What is 6 times 7?').on('toolCallDelta', (delta) => {
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

// A todo until the server is fixed: executeBuiltinCalls (src/runs/run-builtins.ts) shows the figures in a message of
// their own before run-loop.ts completes the tool_calls step, so `thread.run.step.created` for the image message
// arrives while the tool step is still in progress, and the SDK rejects the stream.
const FIGURE_BUG = 'server bug: the image message step is created inside the unfinished tool_calls step';

test('a streamed code_interpreter figure: the tool step ends before the image message, which calls imageFileDone', {
  todo: FIGURE_BUG,
}, async () => {
  fixture.upstream.script(code('import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.show()'), {
    text: 'Here is the chart.',
  });
  const assistant = await createAssistant(fixture, { tools: [{ type: 'code_interpreter' }] });
  const images: string[] = [];
  const stream = threadAndRunStream(assistant.id, 'Plot squares.').on('imageFileDone', (image) =>
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

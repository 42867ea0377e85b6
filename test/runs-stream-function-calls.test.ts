import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import {
  contentText,
  createAssistant,
  messageText,
  threadAndRunStream,
  timeTool,
  upstreamMessages,
  weatherTool,
} from './helpers/run-helpers.js';
import { ANSWER, OPENING, RESUMING, SDK_ANSWER, SDK_FUNCTION_CALL, TOOL_STEP } from './helpers/stream-expectations.js';
import { completedToolCalls, recordStream, validatedEventNames } from './helpers/stream-recorder.js';

/*
 * Function calls through the streamed entry points other than `runs.stream` (see runs-stream.test.ts):
 * createThreadAndRun (`createAndRunStream`) and `submitToolOutputsStream`. Each test pins the order of the raw
 * events and of the SDK's callbacks (`AssistantStream`), the final statuses and the content.
 */

type ToolCall = OpenAI.Beta.Threads.Runs.ToolCall;

let fixture: RunFixture;
let client: OpenAI;

before(async () => {
  fixture = await startRunFixture();
  client = fixture.client;
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

test('createAndRunStream stops at requires_action; submitToolOutputsStream streams on to completed', async () => {
  fixture.upstream.script(
    { toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: { city: 'Oslo' }, argumentChunks: 4 }] },
    { text: ['It is ', 'cold in Oslo.'] },
  );
  const assistant = await createAssistant(fixture, { tools: [weatherTool] });
  const calls: ToolCall[] = [];
  const first = threadAndRunStream(fixture, assistant.id, 'Weather in Oslo?').on('toolCallDone', (call) =>
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
  const first = threadAndRunStream(fixture, assistant.id, 'Rome weather and Tokyo time?').on('toolCallDone', (call) =>
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
  const waiting = await threadAndRunStream(fixture, assistant.id, 'Weather and time in Rome?').finalRun();
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

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import { ResponseStream } from 'openai/lib/responses/ResponseStream';
import type { ResponseSettings } from '../src/api/response-settings.js';
import type { Message, Run, RunStep } from '../src/api/types.js';
import { type ConversationItem, responseOutput, stepToItems } from '../src/responses/items.js';
import {
  endsResponseStream,
  type LoggedRunEvent,
  type ResponseStreamEvent,
  ResponseStreamTranslator,
  type TranslatorOptions,
  translateRunEvents,
} from '../src/responses/stream-translator.js';
import { FILE_SEARCH_CONTENT } from '../src/runs/present-step.js';
import { runStatusEvent, stepEvent } from '../src/runs/run-events.js';
import { endStep, toUsage } from '../src/runs/run-objects.js';
import { responseRunObject, responseSettings, storedResponseRun } from './helpers/response-run-fixture.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { createAssistant, fetchSse, lastToolOutput, waitForRun, weatherTool } from './helpers/run-helpers.js';
import { strictResponsesProblems } from './helpers/strict-contract.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';
import { ControlledResponse, type RecordedRequest } from './upstream/index.js';

/*
 * The Responses stream of a response run (src/responses/stream-translator.ts), from event logs the real engine
 * wrote: each flow runs on a real server with the scripted upstream and its Assistants stream (which is the run's
 * log, event for event) is translated. Every event is checked against the Responses contract (undeclared fields at
 * any depth included), against the ordering the SDK relies on, and fed to the SDK's own accumulator and
 * `ResponseStream`, whose final response must be the one the stream ends with, and match the output a retrieved
 * response builds from the run's messages and steps.
 */

let fixture: RunFixture;
let client: OpenAI;
let vectorStoreId: string;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
  const france = await uploadFile(
    client,
    'france.txt',
    'The capital of France is Paris. The Eiffel Tower is 330 m tall.',
  );
  vectorStoreId = (await client.vectorStores.create({ name: 'facts', file_ids: [france.id] })).id;
  await waitForStore(client, vectorStoreId);
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

interface CapturedRun {
  log: LoggedRunEvent[];
  threadId: string;
  runId: string;
}

/** Runs an assistant on a new thread and returns the run's log as its stream delivered it. */
async function captureRun(
  params: Partial<OpenAI.Beta.AssistantCreateParams>,
  question: string,
  runParams: Record<string, unknown> = {},
): Promise<CapturedRun> {
  const assistant = await createAssistant(fixture, params);
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: question }] });
  const query = `?include[]=${encodeURIComponent(FILE_SEARCH_CONTENT)}`;
  const events = await fetchSse(fixture, `/threads/${thread.id}/runs${query}`, {
    body: { assistant_id: assistant.id, stream: true, ...runParams },
  });
  const log = events.filter((event) => event.event !== 'done').map(({ event, data }) => ({ event, data }));
  const runId = (log[0]!.data as Run).id;
  return { log, threadId: thread.id, runId };
}

/** The response run the log belongs to, as it was created (the log's first event). */
function storedRunOf(log: readonly LoggedRunEvent[], settings: ResponseSettings) {
  assert.equal(log[0]?.event, 'thread.run.created');
  return storedResponseRun(log[0]!.data as Run, settings);
}

/** The output a retrieved response shows, from the run's steps and messages as the API returns them. */
async function retrievedOutput(
  captured: CapturedRun,
  settings: ResponseSettings,
  options: TranslatorOptions,
): Promise<ConversationItem[]> {
  const { threadId, runId } = captured;
  const steps = await client.beta.threads.runs.steps.list(runId, {
    thread_id: threadId,
    order: 'asc',
    include: [FILE_SEARCH_CONTENT],
  });
  const messages = await client.beta.threads.messages.list(threadId, { run_id: runId });
  return responseOutput(
    steps.data as unknown as RunStep[],
    new Map(messages.data.map((message) => [message.id, message as unknown as Message])),
    { ...options, include: settings.include, containerId: options.containerId ?? null },
  );
}

/** Every check that holds for any translated stream; returns the events. */
async function checkedTranslation(
  stored: ReturnType<typeof storedRunOf>,
  log: readonly LoggedRunEvent[],
  options: TranslatorOptions = {},
): Promise<ResponseStreamEvent[]> {
  const events = translateRunEvents(stored, log, options);
  for (const event of events) {
    assert.deepEqual(strictResponsesProblems('ResponseStreamEvent', event), [], JSON.stringify(event));
  }
  assert.deepEqual(
    events.map((event) => event.sequence_number),
    events.map((_event, index) => index),
    'sequence_number counts from 0 in order',
  );
  assert.deepEqual(translateRunEvents(stored, log, options), events, 'translating the same log again gives the same');
  assertOrdering(events);
  assertSdkAccumulation(events);
  return events;
}

type Tracked = {
  id: string;
  type: string;
  parts: number;
  partsDone: Set<number>;
  textDone: Set<number>;
  done: boolean;
};

/** The order the Responses stream promises and the SDK relies on. */
function assertOrdering(events: readonly ResponseStreamEvent[]): void {
  assert.equal(events[0]?.type, 'response.created');
  const items = new Map<number, Tracked>();
  let terminal: string | undefined;
  for (const event of events) {
    assert.equal(terminal, undefined, `${event.type} after ${terminal}`);
    if (['response.completed', 'response.failed', 'response.incomplete'].includes(event.type)) {
      terminal = event.type;
      for (const item of items.values()) assert.ok(item.done, `${item.id} is not done at ${event.type}`);
      continue;
    }
    if (!('output_index' in event)) continue;
    const index = event.output_index as number;
    if (event.type === 'response.output_item.added') {
      assert.equal(index, items.size, 'items are added at the end of the output');
      const item = event.item as { id: string; type: string };
      items.set(index, {
        id: item.id,
        type: item.type,
        parts: 0,
        partsDone: new Set(),
        textDone: new Set(),
        done: false,
      });
      continue;
    }
    const tracked = items.get(index);
    assert.ok(tracked, `${event.type} for output ${index} before its output_item.added`);
    assert.equal(tracked.done, false, `${event.type} after output ${index} is done`);
    if ('item_id' in event) assert.equal(event.item_id, tracked.id, `${event.type} names its item`);
    const contentIndex = event.content_index as number;
    switch (event.type) {
      case 'response.output_item.done': {
        assert.equal((event.item as { id: string }).id, tracked.id);
        assert.equal(tracked.partsDone.size, tracked.parts, `every part of ${tracked.id} is done before the item`);
        tracked.done = true;
        break;
      }
      case 'response.content_part.added':
        assert.equal(contentIndex, tracked.parts++, 'parts are added in order');
        break;
      case 'response.output_text.delta':
      case 'response.output_text.annotation.added':
      case 'response.output_text.done':
        assert.ok(contentIndex < tracked.parts, `${event.type} before its content_part.added`);
        assert.ok(!tracked.textDone.has(contentIndex), `${event.type} after output_text.done`);
        if (event.type === 'response.output_text.done') tracked.textDone.add(contentIndex);
        break;
      case 'response.content_part.done':
        if ((event.part as { type: string }).type === 'output_text') assert.ok(tracked.textDone.has(contentIndex));
        tracked.partsDone.add(contentIndex);
        break;
      default:
        break;
    }
  }
}

/**
 * Feeds the events to the SDK's accumulator: it must accept each one, and what it built from the deltas must be
 * what the matching `done` event states (text and annotations, arguments, code).
 */
function assertSdkAccumulation(events: readonly ResponseStreamEvent[]): void {
  let snapshot: ReturnType<typeof accumulateResponse> | undefined;
  for (const event of events) {
    const output = snapshot?.output[event.output_index as number] as Record<string, any> | undefined;
    if (event.type === 'response.content_part.done') {
      assert.deepEqual(output!.content[event.content_index as number], event.part, 'the streamed part');
    } else if (event.type === 'response.function_call_arguments.done') {
      assert.equal(output!.arguments, event.arguments, 'the streamed arguments');
    } else if (event.type === 'response.code_interpreter_call_code.done') {
      assert.equal(output!.code, event.code, 'the streamed code');
    }
    snapshot = accumulateResponse(event as never, snapshot);
  }
}

/** Fields the SDK adds to what it received (structured-output parsing, the aggregated text). */
const SDK_FIELDS = new Set(['parsed', 'output_parsed', 'parsed_arguments', 'output_text']);

function withoutSdkFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSdkFields);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SDK_FIELDS.has(key))
      .map(([key, field]) => [key, withoutSdkFields(field)]),
  );
}

/**
 * The SDK's `ResponseStream` over the events (as JSON lines): its final response, with the fields the SDK adds
 * itself taken off (`outputText` keeps the text it aggregated).
 */
async function sdkFinalResponse(events: readonly ResponseStreamEvent[]) {
  const body = events.map((event) => `${JSON.stringify(event)}\n`).join('');
  const stream = ResponseStream.fromReadableStream(new Response(body).body!);
  const response = await stream.finalResponse();
  return {
    ...(withoutSdkFields(response) as Record<string, unknown> & { output: unknown[]; status: string }),
    outputText: response.output_text,
  };
}

function terminalResponse(events: readonly ResponseStreamEvent[]) {
  return events.at(-1)!.response as Record<string, unknown> & { output: ConversationItem[] };
}

function outputText(output: readonly ConversationItem[]): string {
  return output
    .flatMap((item) => (item.type === 'message' ? (item.content as Array<{ type: string; text?: string }>) : []))
    .flatMap((part) => (part.type === 'output_text' ? [part.text ?? ''] : []))
    .join('');
}

function types(events: readonly ResponseStreamEvent[]): string[] {
  return events.map((event) => event.type);
}

/** The model's answer after a file_search call: it quotes the first source marker it was given. */
function citeFirstMarker(request: RecordedRequest) {
  const marker = /【\d+:\d+†[^】]*】/.exec(lastToolOutput(request))?.[0] ?? '(no marker offered)';
  return { text: ['Paris is the capital ', `${marker}.`] };
}

describe('the Responses stream of a response run', () => {
  test('a text answer: created, in_progress, one message streamed as output_text, completed with usage', async () => {
    fixture.upstream.script({
      text: ['The capital ', 'of France ', 'is Paris.'],
      usage: { promptTokens: 40, completionTokens: 6 },
    });
    const captured = await captureRun({}, 'What is the capital of France?');
    const settings = responseSettings();
    const stored = storedRunOf(captured.log, settings);
    const events = await checkedTranslation(stored, captured.log);

    const kinds = types(events);
    assert.deepEqual(kinds.slice(0, 4), [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    assert.deepEqual(kinds.slice(-4), [
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta);
    assert.equal(deltas.join(''), 'The capital of France is Paris.');
    assert.ok(!kinds.includes('response.queued'), 'a foreground response is not announced queued');
    assert.equal((events[0]!.response as { status: string }).status, 'in_progress');

    const final = terminalResponse(events);
    assert.equal(final.status, 'completed');
    assert.deepEqual(final.usage, {
      input_tokens: 40,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 6,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 46,
    });
    assert.deepEqual(final.output, await retrievedOutput(captured, settings, {}));

    const { outputText, ...sdk } = await sdkFinalResponse(events);
    assert.equal(outputText, 'The capital of France is Paris.');
    assert.deepEqual(sdk, final);
  });

  test('a background response is announced queued before it runs', async () => {
    fixture.upstream.script({ text: 'Paris.' });
    const captured = await captureRun({}, 'Capital of France?');
    const stored = storedRunOf(captured.log, responseSettings({}, { background: true }));
    const events = await checkedTranslation(stored, captured.log);
    assert.deepEqual(types(events).slice(0, 3), ['response.created', 'response.queued', 'response.in_progress']);
    assert.equal((events[0]!.response as { status: string }).status, 'queued');
  });

  test('file_search: the call is searched and completed, then the answer cites the file', async () => {
    fixture.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: { queries: ['capital of France'] } }] },
      citeFirstMarker,
    );
    const captured = await captureRun(
      { tools: [{ type: 'file_search' }], tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } } },
      'What is the capital of France?',
    );
    const settings = responseSettings({ include: ['file_search_call.results'] });
    const options: TranslatorOptions = {
      fileSearchQueries: () => ['capital of France'],
      fileAttributes: () => ({ region: 'eu' }),
    };
    const events = await checkedTranslation(storedRunOf(captured.log, settings), captured.log, options);

    const searchEvents = types(events).filter((type) => type.startsWith('response.file_search_call.'));
    assert.deepEqual(searchEvents, [
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
    ]);
    const final = terminalResponse(events);
    assert.equal(final.status, 'completed');
    const [search, answer] = final.output as Array<Record<string, any>>;
    assert.equal(search!.type, 'file_search_call');
    assert.equal(search!.status, 'completed');
    assert.deepEqual(search!.queries, ['capital of France']);
    assert.equal(search!.results[0].filename, 'france.txt');
    assert.match(search!.results[0].text, /capital of France is Paris/);
    assert.deepEqual(search!.results[0].attributes, { region: 'eu' }, "the file's attributes, from the lookup");
    assert.equal(answer!.type, 'message');
    const annotations = answer!.content[0].annotations;
    assert.equal(annotations.length, 1);
    assert.equal(annotations[0].type, 'file_citation');
    assert.equal(annotations[0].filename, 'france.txt');
    const added = events.filter((event) => event.type === 'response.output_text.annotation.added');
    assert.deepEqual(
      added.map((event) => event.annotation),
      annotations,
      'each annotation is streamed once, as the final text has it',
    );
    assert.deepEqual(final.output, await retrievedOutput(captured, settings, options));
    const sdk = await sdkFinalResponse(events);
    assert.deepEqual(sdk.output, final.output);
  });

  test('code_interpreter: code streamed, interpreted, completed; a file it wrote cited in its container', async () => {
    fixture.upstream.script(
      {
        toolCalls: [
          {
            name: 'code_interpreter',
            arguments: {
              code: [
                'import matplotlib.pyplot as plt',
                'plt.plot([1, 2, 3])',
                'plt.show()',
                "open('/mnt/data/report.csv', 'w').write('a,b')",
                'print(6*7)',
              ].join('\n'),
            },
            argumentChunks: 4,
          },
        ],
      },
      { text: ['The answer is 42. Download it: ', 'sandbox:/mnt/data/report.csv', ' (CSV).'] },
    );
    const captured = await captureRun({ tools: [{ type: 'code_interpreter' }] }, 'What is 6 times 7?');
    const settings = responseSettings({ include: ['code_interpreter_call.outputs'] });
    const options: TranslatorOptions = {
      containerId: 'cntr_test',
      imageUrl: (fileId) => `${fixture.server.baseURL}/files/${fileId}/content`,
    };
    const events = await checkedTranslation(storedRunOf(captured.log, settings), captured.log, options);

    const codeEvents = types(events).filter((type) => type.startsWith('response.code_interpreter_call'));
    assert.equal(codeEvents[0], 'response.code_interpreter_call.in_progress');
    assert.ok(codeEvents.includes('response.code_interpreter_call_code.delta'));
    assert.deepEqual(codeEvents.slice(-3), [
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call.completed',
    ]);
    const final = terminalResponse(events);
    const [call, answer] = final.output as Array<Record<string, any>>;
    assert.equal(call!.type, 'code_interpreter_call');
    assert.equal(call!.status, 'completed');
    assert.equal(call!.container_id, 'cntr_test');
    assert.match(call!.code, /print\(6\*7\)/);
    assert.ok(Array.isArray(call!.outputs) && call!.outputs.length > 0, 'outputs are included');
    const outputs = call!.outputs as Array<{ type: string; logs?: string; url?: string }>;
    assert.deepEqual(
      outputs.map((output) => output.type),
      ['logs', 'image'],
    );
    assert.equal(outputs[0]!.logs?.trim(), '42');
    assert.match(outputs[1]!.url!, /^http:\/\/127\.0\.0\.1:\d+\/v1\/files\/file-\w+\/content$/);
    // The answer shows the figure first (an `image_file` part in the Assistants message): its text is still part 0.
    assert.equal(answer!.type, 'message');
    assert.equal(answer!.content.length, 1);
    assert.equal(answer!.content[0].text, 'The answer is 42. Download it: sandbox:/mnt/data/report.csv (CSV).');
    assert.deepEqual(
      answer!.content[0].annotations.map((annotation: { type: string; filename: string }) => [
        annotation.type,
        annotation.filename,
      ]),
      [['container_file_citation', 'report.csv']],
    );
    const textEvents = events.filter((event) => event.type.startsWith('response.output_text.'));
    assert.ok(textEvents.every((event) => event.content_index === 0));
    assert.deepEqual(final.output, await retrievedOutput(captured, settings, options));
    const sdk = await sdkFinalResponse(events);
    assert.deepEqual(sdk.output, final.output);
  });

  test('a function call ends the response: arguments streamed, the call completed, response.completed', async () => {
    fixture.upstream.script({
      toolCalls: [{ id: 'call_weather42', name: 'get_weather', arguments: { city: 'Paris' }, argumentChunks: 3 }],
    });
    const captured = await captureRun({ tools: [weatherTool] }, 'Weather in Paris?');
    // A response run ends here (the lead's run loop): the tool step completes with outputs null, the run completes.
    const waiting = captured.log.at(-1)!;
    assert.equal(waiting.event, 'thread.run.requires_action');
    const [step] = (await client.beta.threads.runs.steps.list(captured.runId, { thread_id: captured.threadId }))
      .data as unknown as RunStep[];
    const run = waiting.data as Run;
    const completedStep = endStep(step!, 'completed');
    const completedRun: Run = {
      ...run,
      status: 'completed',
      required_action: null,
      expires_at: null,
      completed_at: run.created_at + 1,
      usage: toUsage({ prompt: 50, completion: 12 }),
    };
    const log = [...captured.log.slice(0, -1), stepEvent(completedStep, 'completed'), runStatusEvent(completedRun)];
    const settings = responseSettings();
    const events = await checkedTranslation(storedRunOf(log, settings), log);

    assert.deepEqual(types(events), [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const final = terminalResponse(events);
    assert.deepEqual(final.output, [
      {
        id: 'fc_weather42',
        type: 'function_call',
        call_id: 'call_weather42',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
    ]);
    assert.deepEqual(final.output, stepToItems(completedStep, { include: [], containerId: null }));
    const sdk = await sdkFinalResponse(events);
    assert.deepEqual(sdk.output, final.output);
    assert.equal(sdk.outputText, '');
  });

  test('max_output_tokens reached: the message is incomplete and so is the response', async () => {
    fixture.upstream.script({
      text: 'A long answer that got cut',
      finishReason: 'length',
      usage: { promptTokens: 30, completionTokens: 300 },
    });
    const captured = await captureRun({}, 'Tell me everything.', { max_completion_tokens: 300 });
    const settings = responseSettings({}, { max_output_tokens: 300 });
    const events = await checkedTranslation(storedRunOf(captured.log, settings), captured.log);
    assert.equal(events.at(-1)!.type, 'response.incomplete');
    const final = terminalResponse(events);
    assert.deepEqual(final.incomplete_details, { reason: 'max_output_tokens' });
    const [message] = final.output as Array<Record<string, any>>;
    assert.equal(message!.status, 'incomplete');
    assert.equal(outputText(final.output), 'A long answer that got cut');
    const sdk = await sdkFinalResponse(events);
    assert.equal(sdk.status, 'incomplete');
    assert.deepEqual(sdk.output, final.output);
  });

  test('a failed run: the text so far in an incomplete message, response.failed with the error', async () => {
    fixture.upstream.script({ malformed: { textBefore: ['Half ', 'a sentence'] } });
    const captured = await captureRun({}, 'Say something.');
    const events = await checkedTranslation(storedRunOf(captured.log, responseSettings()), captured.log);
    assert.equal(events.at(-1)!.type, 'response.failed');
    const final = terminalResponse(events);
    assert.equal(final.status, 'failed');
    assert.equal((final.error as { code: string }).code, 'server_error');
    assert.equal(outputText(final.output), 'Half a sentence');
    const sdk = await sdkFinalResponse(events);
    assert.equal(sdk.status, 'failed');
  });

  test('a cancelled run ends the stream with no terminal event; the message ends incomplete', async () => {
    const upstream = new ControlledResponse();
    fixture.upstream.script({ controlled: upstream });
    const assistant = await createAssistant(fixture);
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Count slowly.' }] });
    const streamed = fetchSse(fixture, `/threads/${thread.id}/runs`, {
      body: { assistant_id: assistant.id, stream: true },
    });
    upstream.text('One, ');
    upstream.text('two, ');
    await upstream.connected;
    const runs = await client.beta.threads.runs.list(thread.id);
    const runId = runs.data[0]!.id;
    await waitForRun(fixture, thread.id, runId, (run) => run.status === 'in_progress', 'the run starts');
    await client.beta.threads.runs.cancel(runId, { thread_id: thread.id });
    const log = (await streamed).filter((event) => event.event !== 'done').map(({ event, data }) => ({ event, data }));
    assert.equal(log.at(-1)!.event, 'thread.run.cancelled');

    const stored = storedRunOf(log, responseSettings());
    const events = await checkedTranslation(stored, log);
    assert.ok(
      !types(events).some((type) => ['response.completed', 'response.failed', 'response.incomplete'].includes(type)),
      'no terminal event',
    );
    const translator = new ResponseStreamTranslator(stored);
    for (const record of log) translator.translate(record);
    assert.equal(translator.ended, true);
    assert.ok(
      translator.output.every((item) => item.status !== 'in_progress'),
      'every item ended',
    );
    assert.deepEqual(translator.translate(log.at(-1)!), [], 'nothing after the end');
  });
});

describe('translating one event at a time', () => {
  test('gives the same events as the whole log, so a resumed stream re-translates and skips', async () => {
    fixture.upstream.script({ text: ['Paris ', 'is ', 'the capital.'] });
    const captured = await captureRun({}, 'Capital of France?');
    const stored = storedRunOf(captured.log, responseSettings());
    const whole = translateRunEvents(stored, captured.log);
    const translator = new ResponseStreamTranslator(stored);
    const piecewise = captured.log.flatMap((record) => translator.translate(record));
    assert.deepEqual(piecewise, whole);
    const startingAfter = 4;
    const resumed = translateRunEvents(stored, captured.log).filter((event) => event.sequence_number > startingAfter);
    assert.deepEqual(resumed, whole.slice(startingAfter + 1));
  });

  test('endsResponseStream: the run ending ends the stream; waiting or cancelling does not', () => {
    for (const event of ['completed', 'incomplete', 'failed', 'cancelled', 'expired']) {
      assert.equal(endsResponseStream(`thread.run.${event}`), true, event);
    }
    for (const event of ['thread.run.requires_action', 'thread.run.cancelling', 'thread.run.step.completed']) {
      assert.equal(endsResponseStream(event), false, event);
    }
  });

  test('an expired (never started) response fails', () => {
    const settings = responseSettings({}, { background: true });
    const created = storedResponseRun(responseRunObject(), settings);
    const expired: Run = { ...created.run, status: 'expired', expires_at: null };
    const events = translateRunEvents(created, [
      { event: 'thread.run.created', data: created.run },
      { event: 'thread.run.queued', data: created.run },
      { event: 'thread.run.expired', data: expired },
    ]);
    for (const event of events) assert.deepEqual(strictResponsesProblems('ResponseStreamEvent', event), []);
    assert.deepEqual(types(events), ['response.created', 'response.queued', 'response.failed']);
    assert.equal((events.at(-1)!.response as { error: { code: string } }).error.code, 'server_error');
  });
});

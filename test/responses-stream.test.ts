import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { pollUntil } from './helpers/poll.js';
import {
  assertStreamContract,
  collectEvents,
  eventTypes,
  MODEL,
  timeFunction,
  weatherFunction,
  withoutSdkFields,
} from './helpers/responses-e2e.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { ControlledResponse } from './upstream/index.js';

/*
 * The Responses stream through the SDK (`client.responses.stream()`, `create({stream: true})` and
 * `retrieve(id, {stream: true, starting_after})`): the exact event sequence of each kind of answer, every event
 * checked against the contract's ResponseStreamEvent with sequence_number counting 0, 1, 2, …; a resumed stream
 * is exactly the rest of the original.
 */

type ResponseStreamEvent = OpenAI.Responses.ResponseStreamEvent;

let fixture: RunFixture;
let client: OpenAI;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

/** The events of a streamed create through the SDK helper, and its final response. */
async function streamed(params: Omit<OpenAI.Responses.ResponseCreateParamsStreaming, 'stream'>) {
  const stream = client.responses.stream(params);
  const events = await collectEvents(stream);
  return { events, final: await stream.finalResponse() };
}

function terminal(events: readonly ResponseStreamEvent[]): OpenAI.Responses.Response {
  const last = events.at(-1)!;
  assert.ok('response' in last, `${last.type} carries the response`);
  return last.response as OpenAI.Responses.Response;
}

describe('the Responses stream', () => {
  test('a text answer: the exact event sequence; the final response is the retrieved one', async () => {
    fixture.upstream.script({ text: ['The capital ', 'of France ', 'is Paris.'] });
    const { events, final } = await streamed({ model: MODEL, input: 'Capital of France?', metadata: { k: 'v' } });
    assert.deepEqual(eventTypes(events), [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    assert.equal(created.response.status, 'in_progress');
    assert.deepEqual(created.response.output, []);
    assert.deepEqual(created.response.metadata, { k: 'v' });
    const added = events[2] as OpenAI.Responses.ResponseOutputItemAddedEvent;
    assert.equal(added.output_index, 0);
    assert.equal(added.item.type, 'message');
    assert.equal((added.item as OpenAI.Responses.ResponseOutputMessage).status, 'in_progress');
    const deltas = events.filter(
      (event): event is OpenAI.Responses.ResponseTextDeltaEvent => event.type === 'response.output_text.delta',
    );
    assert.deepEqual(
      deltas.map((event) => event.delta),
      ['The capital ', 'of France ', 'is Paris.'],
    );
    assert.ok(deltas.every((event) => event.item_id === added.item.id && event.content_index === 0));
    const done = events[7] as OpenAI.Responses.ResponseTextDoneEvent;
    assert.equal(done.text, 'The capital of France is Paris.');
    assert.equal(final.status, 'completed');
    assert.equal(final.output_text, 'The capital of France is Paris.');
    assert.deepEqual(withoutSdkFields(terminal(events)), withoutSdkFields(final));
    assert.deepEqual(withoutSdkFields(await client.responses.retrieve(final.id)), withoutSdkFields(final));
  });

  test('create with stream: true gives the same family of events', async () => {
    fixture.upstream.script({ text: 'Hi.' });
    const stream = await client.responses.create({ model: MODEL, input: 'Hello', stream: true });
    const events = await collectEvents(stream);
    assert.equal(events[0]!.type, 'response.created');
    assert.equal(events.at(-1)!.type, 'response.completed');
    assert.equal(terminal(events).output[0]!.type, 'message');
  });

  test('function calls: arguments streamed as deltas, then done; the response completes with the calls', async () => {
    fixture.upstream.script({
      toolCalls: [
        { id: 'call_w', name: 'get_weather', arguments: { city: 'Oslo' }, argumentChunks: 3 },
        { id: 'call_t', name: 'get_time', arguments: { city: 'Oslo' }, argumentChunks: 2 },
      ],
    });
    const { events, final } = await streamed({
      model: MODEL,
      input: 'Weather and time in Oslo?',
      tools: [weatherFunction, timeFunction],
    });
    const types = eventTypes(events);
    assert.deepEqual(types.slice(0, 3), ['response.created', 'response.in_progress', 'response.output_item.added']);
    assert.equal(types.at(-1), 'response.completed');
    // Each call is closed before the next is added, as OpenAI streams them.
    const firstDone = events.findIndex((event) => event.type === 'response.output_item.done');
    const secondAdded = events.findIndex(
      (event) => event.type === 'response.output_item.added' && 'output_index' in event && event.output_index === 1,
    );
    assert.ok(firstDone !== -1 && firstDone < secondAdded, 'the first call is done before the second is added');
    // Per item: added, its argument deltas, arguments done, item done.
    for (const index of [0, 1]) {
      const own = events.filter((event) => 'output_index' in event && event.output_index === index);
      const kinds = eventTypes(own);
      const deltaCount = kinds.filter((kind) => kind === 'response.function_call_arguments.delta').length;
      assert.deepEqual(kinds, [
        'response.output_item.added',
        ...Array<string>(deltaCount).fill('response.function_call_arguments.delta'),
        'response.function_call_arguments.done',
        'response.output_item.done',
      ]);
    }
    for (const [index, callId, name] of [
      [0, 'call_w', 'get_weather'],
      [1, 'call_t', 'get_time'],
    ] as const) {
      const deltas = events.filter(
        (event): event is OpenAI.Responses.ResponseFunctionCallArgumentsDeltaEvent =>
          event.type === 'response.function_call_arguments.delta' && event.output_index === index,
      );
      assert.ok(deltas.length >= 1, `the arguments of output ${index} are streamed`);
      const doneEvent = events.find(
        (event): event is OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent =>
          event.type === 'response.function_call_arguments.done' && event.output_index === index,
      )!;
      assert.equal(deltas.map((event) => event.delta).join(''), doneEvent.arguments);
      assert.deepEqual(JSON.parse(doneEvent.arguments), { city: 'Oslo' });
      const item = final.output[index] as OpenAI.Responses.ResponseFunctionToolCall;
      assert.equal(item.type, 'function_call');
      assert.equal(item.call_id, callId);
      assert.equal(item.name, name);
      assert.equal(item.status, 'completed');
      assert.equal(doneEvent.item_id, item.id);
    }
    assert.equal(final.status, 'completed');
    assert.deepEqual(withoutSdkFields(await client.responses.retrieve(final.id)), withoutSdkFields(final));
  });

  test('text then a function call in one turn: a message item, then the call item, each closed before the next', async () => {
    fixture.upstream.script({
      text: 'Let me check. ',
      toolCalls: [{ id: 'call_x', name: 'get_weather', arguments: { city: 'Lima' } }],
    });
    const { events, final } = await streamed({ model: MODEL, input: 'Weather in Lima?', tools: [weatherFunction] });
    const types = eventTypes(events);
    const messageDone = types.indexOf('response.output_item.done');
    assert.deepEqual(types.slice(messageDone - 2, messageDone + 3), [
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
    ]);
    assert.deepEqual(
      final.output.map((item) => [item.type, (item as { status?: string }).status]),
      [
        ['message', 'completed'],
        ['function_call', 'completed'],
      ],
    );
    assert.equal(final.output_text, 'Let me check. ');
    assert.deepEqual(withoutSdkFields(await client.responses.retrieve(final.id)), withoutSdkFields(final));
  });

  test('max_output_tokens hit: the stream ends with response.incomplete', async () => {
    fixture.upstream.script({
      text: ['Once ', 'upon'],
      finishReason: 'length',
      usage: { promptTokens: 5, completionTokens: 16 },
    });
    const { events, final } = await streamed({ model: MODEL, input: 'A story', max_output_tokens: 16 });
    assert.equal(events.at(-1)!.type, 'response.incomplete');
    assert.equal(final.status, 'incomplete');
    assert.deepEqual(final.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(final.output_text, 'Once upon');
  });

  test('an upstream failure: the stream ends with response.failed carrying the error', async () => {
    fixture.upstream.script({
      error: { status: 400, message: 'Context too long for this model.', type: 'invalid_request_error' },
    });
    const stream = client.responses.stream({ model: MODEL, input: 'Hi' });
    const events: ResponseStreamEvent[] = [];
    try {
      for await (const event of stream) events.push(structuredClone(event));
    } catch {
      // The SDK's helper may throw at the end of a failed response; the events seen are what is checked.
    }
    assert.deepEqual(eventTypes(events), ['response.created', 'response.in_progress', 'response.failed']);
    const failed = terminal(events);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error?.message ?? '', /Context too long/);
    const retrieved = await client.responses.retrieve(failed.id);
    assert.deepEqual(retrieved.error, failed.error);
  });

  test('resuming: retrieve with stream and starting_after gives exactly the events after it', async () => {
    fixture.upstream.script({ text: ['One ', 'two ', 'three.'] });
    const { events, final } = await streamed({ model: MODEL, input: 'Count' });
    for (const startingAfter of [0, 3, 6, events.length - 2]) {
      const resumed = await collectEvents(
        await client.responses.retrieve(final.id, { stream: true, starting_after: startingAfter }),
        startingAfter + 1,
      );
      assert.deepEqual(resumed, events.slice(startingAfter + 1), `starting_after ${startingAfter}`);
    }
    const whole = await collectEvents(await client.responses.retrieve(final.id, { stream: true }));
    assert.deepEqual(whole, events, 'without starting_after: the whole stream again');
    const afterLast = await collectEvents(
      await client.responses.retrieve(final.id, { stream: true, starting_after: events.length - 1 }),
      events.length,
    );
    assert.deepEqual(afterLast, []);

    // The SDK's own resume helper.
    const helper = client.responses.stream({ response_id: final.id, starting_after: 4 });
    const viaHelper = await collectEvents(helper, 5);
    assert.deepEqual(viaHelper, events.slice(5));
    assert.equal((await helper.finalResponse()).output_text, 'One two three.');
  });

  test('a background response cancelled mid-stream: its items close, the stream ends without a terminal event', async () => {
    const upstream = new ControlledResponse();
    fixture.upstream.script({ controlled: upstream });
    const stream = await client.responses.create({ model: MODEL, input: 'A story', background: true, stream: true });
    upstream.text('Once upon');
    const events: ResponseStreamEvent[] = [];
    let id = '';
    for await (const event of stream) {
      events.push(structuredClone(event));
      if (event.type === 'response.created') id = event.response.id;
      if (event.type === 'response.output_text.delta')
        assert.equal((await client.responses.cancel(id)).status, 'cancelled');
    }
    assertStreamContract(events);
    assert.deepEqual(eventTypes(events).slice(-4), [
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
    const cancelled = await client.responses.retrieve(id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.output_text, 'Once upon');
    assert.equal((cancelled.output[0] as OpenAI.Responses.ResponseOutputMessage).status, 'incomplete');
    const replayed = await collectEvents(await client.responses.retrieve(id, { stream: true }));
    assert.deepEqual(replayed, events, 'the replay ends where the live stream did');
  });

  test('a background response streamed while it runs, resumed live after a disconnect', async () => {
    const upstream = new ControlledResponse();
    fixture.upstream.script({ controlled: upstream });
    const stream = await client.responses.create({ model: MODEL, input: 'Slowly', background: true, stream: true });
    const first: ResponseStreamEvent[] = [];
    upstream.text('Part one, ');
    for await (const event of stream) {
      first.push(structuredClone(event));
      if (event.type === 'response.output_text.delta') break;
    }
    assert.deepEqual(eventTypes(first), [
      'response.created',
      'response.queued',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    assert.equal((first[0] as OpenAI.Responses.ResponseCreatedEvent).response.status, 'queued');
    const id = (first[0] as OpenAI.Responses.ResponseCreatedEvent).response.id;
    // The client left; the response goes on. Resume live from the last event seen.
    const resumed = client.responses.retrieve(id, { stream: true, starting_after: first.at(-1)!.sequence_number });
    upstream.text('part two.');
    upstream.finish();
    const rest = await collectEvents(await resumed, first.length);
    assert.deepEqual(eventTypes(rest), [
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.equal((rest[0] as OpenAI.Responses.ResponseTextDeltaEvent).delta, 'part two.');
    const done = await pollUntil(
      async () => {
        const response = await client.responses.retrieve(id);
        return response.status === 'completed' && response;
      },
      { what: 'the background response to complete' },
    );
    assert.equal(done.output_text, 'Part one, part two.');
    assert.deepEqual(withoutSdkFields(terminal(rest)), withoutSdkFields(done));
  });
});

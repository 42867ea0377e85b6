import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { chatRequests, lastToolOutput, weatherTool } from './helpers/run-helpers.js';
import type { SdkOperations } from './helpers/sdk-adapter.js';
import {
  assistantParams,
  citeFirstMarker,
  essentials,
  RUN_OPENING,
  sdkToolStep,
  textOf,
  textPart,
} from './helpers/sdk-flow-helpers.js';
import { SDK_GENERATIONS } from './helpers/sdk-generations.js';
import { recordSdkStream } from './helpers/sdk-stream-recording.js';
import { ANSWER, RESUMING, SDK_ANSWER, SDK_FUNCTION_CALL, TOOL_STEP } from './helpers/stream-expectations.js';

/*
 * The core flows of an Assistants app, written once and run with each SDK generation apps still use (4.46, the last
 * 4.x, the last 5.x, 7.x): create and poll a run, stream one with `AssistantStream`, function calling with
 * `submitToolOutputsStream`, file_search citations, a code_interpreter figure and file, and files and vector stores
 * with the SDK's polling helpers. Each SDK parses and accumulates the stream itself, so exact event and callback
 * order, deltas and final snapshots are pinned for every generation.
 */

let fixture: RunFixture;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
});
after(() => fixture.close());

for (const generation of SDK_GENERATIONS) {
  describe(generation.label, () => {
    let sdk: SdkOperations;
    before(() => {
      sdk = generation.connect(fixture.server.baseURL);
    });
    beforeEach(() => fixture.upstream.reset());

    test('createAndPoll completes a run; runs.retrieve and messages.retrieve read it back', async () => {
      fixture.upstream.script({ text: 'Hello from the server.' });
      const assistant = await sdk.createAssistant(assistantParams());
      const thread = await sdk.createThread('Hello there');
      const run = await sdk.createAndPollRun(thread.id, assistant.id);
      assert.deepEqual([run.status, run.thread_id, run.required_action], ['completed', thread.id, null]);

      const retrieved = await sdk.retrieveRun(thread.id, run.id);
      assert.deepEqual([retrieved.id, retrieved.status], [run.id, 'completed']);
      const messages = await sdk.listMessages(thread.id);
      assert.deepEqual(
        messages.map((message) => [message.role, message.run_id, message.status, textOf(message)]),
        [
          ['user', null, 'completed', 'Hello there'],
          ['assistant', run.id, 'completed', 'Hello from the server.'],
        ],
      );
      assert.deepEqual(await sdk.retrieveMessage(thread.id, messages[1]!.id), messages[1]);
    });

    test('runs.stream: events and callbacks in order, each text delta as sent, the final message', async () => {
      fixture.upstream.script({ text: ['Streaming ', 'works', '.'] });
      const assistant = await sdk.createAssistant(assistantParams());
      const thread = await sdk.createThread('Stream please');
      const stream = sdk.streamRun(thread.id, assistant.id);
      const recording = recordSdkStream(stream);
      const run = await stream.finalRun();

      assert.equal(run.status, 'completed');
      assert.deepEqual(recording.events, [...RUN_OPENING, ...ANSWER, 'thread.run.completed']);
      assert.deepEqual(recording.callbacks, ['connect', ...SDK_ANSWER, 'end']);
      assert.deepEqual(
        recording.textDeltas.map((delta) => [delta.value, delta.annotations]),
        [
          ['Streaming ', []],
          ['works', []],
          ['.', []],
        ],
      );
      assert.deepEqual(recording.textsDone, [{ value: 'Streaming works.', annotations: [] }]);
      // The status of finalMessages() is not compared: 4.x and 5.x keep the message as `thread.message.created`
      // had it (in_progress) and only add the deltas' content; 7.x takes `thread.message.completed`'s.
      const final = await stream.finalMessages();
      assert.deepEqual(
        final.map((message) => [message.role, textOf(message)]),
        [['assistant', 'Streaming works.']],
      );
      const stored = await sdk.retrieveMessage(thread.id, final[0]!.id);
      assert.deepEqual([stored.status, textOf(stored)], ['completed', 'Streaming works.']);
    });

    // Every generation builds its snapshot of a text part from the deltas (7.x replaces it at the end with the
    // completed message; 4.x and 5.x keep it for finalMessages()), so the part has `annotations` only if a delta
    // sent them. OpenAI's first delta of a part does (`{"value":"Hello","annotations":[]}`, the MessageDeltaObject
    // example in contract/); without them `text.annotations` is undefined in textDelta's snapshot, and in 4.x and
    // 5.x in finalMessages() too.
    test("a text part's first delta carries annotations: [], so the SDK's snapshots of it have them", async () => {
      fixture.upstream.script({ text: ['Two ', 'pieces.'] });
      const assistant = await sdk.createAssistant(assistantParams());
      const thread = await sdk.createThread('Say something');
      const stream = sdk.streamRun(thread.id, assistant.id);
      const recording = recordSdkStream(stream);
      await stream.finalRun();

      assert.deepEqual(
        recording.textDeltas.map((delta) => [delta.value, delta.snapshotAnnotations]),
        [
          ['Two ', []],
          ['pieces.', []],
        ],
      );
      const [answer] = await stream.finalMessages();
      assert.deepEqual(textPart(answer), { value: 'Two pieces.', annotations: [] });
    });

    test('a function call: the stream stops at requires_action, submitToolOutputsStream finishes the run', async () => {
      fixture.upstream.script(
        { toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: { city: 'Oslo' } }] },
        (request) => ({ text: `It is ${lastToolOutput(request)} in Oslo.` }),
      );
      const assistant = await sdk.createAssistant(assistantParams({ tools: [weatherTool] }));
      const thread = await sdk.createThread('Weather in Oslo?');
      const first = sdk.streamRun(thread.id, assistant.id);
      const firstRecording = recordSdkStream(first);
      const waiting = await first.finalRun();

      assert.equal(waiting.status, 'requires_action');
      assert.deepEqual(firstRecording.events, [...RUN_OPENING, ...TOOL_STEP, 'thread.run.requires_action']);
      assert.deepEqual(firstRecording.callbacks, ['connect', 'runStepCreated:tool_calls', ...SDK_FUNCTION_CALL, 'end']);
      assert.deepEqual(
        waiting.required_action?.submit_tool_outputs.tool_calls.map((call) => [call.id, call.function]),
        [['call_weather', { name: 'get_weather', arguments: '{"city":"Oslo"}' }]],
      );

      const second = sdk.submitToolOutputsStream(thread.id, waiting.id, [
        { tool_call_id: 'call_weather', output: '-5 C' },
      ]);
      const secondRecording = recordSdkStream(second);
      const finished = await second.finalRun();

      assert.deepEqual([finished.id, finished.status, finished.required_action], [waiting.id, 'completed', null]);
      assert.deepEqual(secondRecording.events, [...RESUMING, ...ANSWER, 'thread.run.completed']);
      assert.deepEqual(secondRecording.callbacks, [
        'connect',
        'runStepDone:tool_calls:completed',
        ...SDK_ANSWER,
        'end',
      ]);
      assert.deepEqual((await second.finalMessages()).map(textOf), ['It is -5 C in Oslo.']);
      assert.equal(lastToolOutput(chatRequests(fixture).at(-1)!), '-5 C');
    });

    test('file_search: the citation arrives in the delta closing its marker and equals the final one', async () => {
      const france = await sdk.uploadFile({ name: 'france.txt', content: 'The capital of France is Paris.' });
      const bananas = await sdk.uploadFile({
        name: 'bananas.txt',
        content: 'Bananas are yellow and rich in potassium.',
      });
      const store = await sdk.createVectorStore('facts');
      const batch = await sdk.createAndPollBatch(store.id, [france.id, bananas.id]);
      assert.equal(batch.status, 'completed');
      fixture.upstream.script(
        { toolCalls: [{ name: 'file_search', arguments: { queries: ['capital of France'] } }] },
        citeFirstMarker,
      );
      const assistant = await sdk.createAssistant(
        assistantParams({
          tools: [{ type: 'file_search' }],
          tool_resources: { file_search: { vector_store_ids: [store.id] } },
        }),
      );
      const thread = await sdk.createThread('What is the capital of France?');
      const stream = sdk.streamRun(thread.id, assistant.id);
      const recording = recordSdkStream(stream);
      const run = await stream.finalRun();

      assert.equal(run.status, 'completed');
      assert.deepEqual(recording.events, [
        ...RUN_OPENING,
        ...TOOL_STEP,
        'thread.run.step.completed',
        ...ANSWER,
        'thread.run.completed',
      ]);
      assert.deepEqual(recording.callbacks, ['connect', ...sdkToolStep('file_search'), ...SDK_ANSWER, 'end']);
      const marker = '【0:0†france.txt】';
      const cited = {
        type: 'file_citation',
        text: marker,
        start: 'Paris is the capital '.length,
        end: `Paris is the capital ${marker}`.length,
        fileId: france.id,
      };
      assert.deepEqual(
        recording.textDeltas.map((delta) => delta.annotations.map(essentials)),
        [[], [], [cited], []],
        'only the piece that closes the marker carries the annotation',
      );
      assert.equal(recording.textDeltas[2]!.annotations[0]!.index, 0);
      const value = `Paris is the capital ${marker}. Anything else?`;
      assert.deepEqual(
        recording.textsDone.map((text) => [text.value, text.annotations.map(essentials)]),
        [[value, [cited]]],
      );
      const [answer] = await stream.finalMessages();
      assert.deepEqual([textPart(answer).value, textPart(answer).annotations.map(essentials)], [value, [cited]]);
      const stored = await sdk.retrieveMessage(thread.id, answer!.id);
      assert.deepEqual(textPart(stored).annotations.map(essentials), [cited]);
    });

    test('code_interpreter: the figure is an image_file part after textCreated, the CSV a file_path link', async () => {
      const source = [
        'import matplotlib.pyplot as plt',
        'plt.plot([1, 2, 3], [1, 4, 9]); plt.show()',
        "open('/mnt/data/squares.csv', 'w').write('n,sq\\n1,1\\n2,4\\n')",
      ].join('\n');
      fixture.upstream.script(
        { toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] },
        { text: ['Here is the chart and ', '[the table](sandbox:/mnt/da', 'ta/squares.csv', ').'] },
      );
      const assistant = await sdk.createAssistant(assistantParams({ tools: [{ type: 'code_interpreter' }] }));
      const thread = await sdk.createThread('Plot squares and save them as CSV.');
      const stream = sdk.streamRun(thread.id, assistant.id);
      const recording = recordSdkStream(stream);
      const run = await stream.finalRun();

      assert.equal(run.status, 'completed');
      assert.deepEqual(recording.events, [
        ...RUN_OPENING,
        ...TOOL_STEP,
        'thread.run.step.completed',
        ...ANSWER,
        'thread.run.completed',
      ]);
      // The quickstart opens a box on textCreated and draws each figure into it on imageFileDone.
      assert.deepEqual(recording.callbacks, [
        'connect',
        ...sdkToolStep('code_interpreter'),
        'runStepCreated:message_creation',
        'messageCreated',
        'textCreated',
        'textDelta',
        'textDone',
        'imageFileDone',
        'messageDone:completed',
        'runStepDone:message_creation:completed',
        'end',
      ]);
      assert.equal(recording.codeInput, source, 'the code, as toolCallDelta streamed it');
      assert.deepEqual(
        recording.textDeltas.map((delta) => delta.annotations.length),
        [0, 0, 0, 1],
      );
      const [answer] = await stream.finalMessages();
      const stored = await sdk.retrieveMessage(thread.id, answer!.id);
      for (const message of [answer!, stored]) {
        assert.deepEqual(
          message.content.map((part) => (part.type === 'image_file' ? part.image_file.file_id : part.type)),
          [...recording.imagesDone, 'text'],
        );
      }
      assert.equal(recording.imagesDone.length, 1);
      const png = await sdk.downloadFile(recording.imagesDone[0]!);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');

      const text = textPart(answer);
      assert.equal(text.value, 'Here is the chart and [the table](sandbox:/mnt/data/squares.csv).');
      assert.deepEqual(
        recording.textDeltas.flatMap((delta) => delta.annotations).map(essentials),
        text.annotations.map(essentials),
      );
      const [link] = text.annotations;
      assert.ok(link?.type === 'file_path');
      assert.equal(link.text, 'sandbox:/mnt/data/squares.csv');
      assert.equal(text.value.slice(link.start_index, link.end_index), link.text);
      assert.equal((await sdk.downloadFile(link.file_path.file_id)).toString(), 'n,sq\n1,1\n2,4\n');
    });

    test('files and vector stores: upload, download, and every createAndPoll / uploadAndPoll helper', async () => {
      const notes = await sdk.uploadFile({ name: 'notes.md', content: '# Notes\nThe meeting is on Tuesday.\n' });
      assert.deepEqual([notes.filename, notes.bytes, notes.purpose], ['notes.md', 35, 'assistants']);
      assert.equal((await sdk.downloadFile(notes.id)).toString(), '# Notes\nThe meeting is on Tuesday.\n');
      const store = await sdk.createVectorStore('docs');

      const attached = await sdk.createAndPollStoreFile(store.id, notes.id);
      assert.deepEqual(
        [attached.id, attached.vector_store_id, attached.status, attached.last_error],
        [notes.id, store.id, 'completed', null],
      );
      const uploaded = await sdk.uploadAndPollStoreFile(store.id, { name: 'agenda.txt', content: 'Agenda: budget.' });
      assert.deepEqual([uploaded.status, uploaded.last_error], ['completed', null]);
      const broken = await sdk.uploadAndPollStoreFile(store.id, { name: 'broken.pdf', content: 'not a PDF at all' });
      assert.equal(broken.status, 'failed');
      assert.equal(broken.last_error?.code, 'invalid_file');

      const loose = await Promise.all(
        ['one.txt', 'two.txt'].map((name) => sdk.uploadFile({ name, content: `The file ${name}.` })),
      );
      const batch = await sdk.createAndPollBatch(
        store.id,
        loose.map((file) => file.id),
      );
      const counts = (completed: number, failed = 0) => ({
        in_progress: 0,
        completed,
        failed,
        cancelled: 0,
        total: completed + failed,
      });
      assert.deepEqual([batch.vector_store_id, batch.status, batch.file_counts], [store.id, 'completed', counts(2)]);
      const uploadedBatch = await sdk.uploadAndPollBatch(store.id, [
        { name: 'three.txt', content: 'The third file.' },
        { name: 'four.txt', content: 'The fourth file.' },
      ]);
      assert.deepEqual([uploadedBatch.status, uploadedBatch.file_counts], ['completed', counts(2)]);

      const final = await sdk.retrieveVectorStore(store.id);
      assert.deepEqual([final.status, final.file_counts], ['completed', counts(6, 1)]);
    });
  });
}

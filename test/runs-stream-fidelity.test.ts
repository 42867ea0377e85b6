import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { createAssistant, lastToolOutput, threadAndRunStream } from './helpers/run-helpers.js';
import { completedToolCalls, recordStream } from './helpers/stream-recorder.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';
import type { RecordedRequest } from './upstream/index.js';

/*
 * What streaming front-ends (OpenAI's assistants quickstart and others) rely on: a code_interpreter figure is an
 * `image_file` part of the answer message, sent after its first text so `textCreated` comes before
 * `imageFileDone`; annotations arrive in the `thread.message.delta` whose text completes them, with indices into
 * the whole text, and equal the completed message's.
 */

type Annotation = OpenAI.Beta.Threads.Annotation;
type AnnotationDelta = OpenAI.Beta.Threads.AnnotationDelta;

let fixture: RunFixture;
let vectorStoreId: string;
let franceFileId: string;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  const france = await uploadFile(fixture.client, 'france.txt', 'The capital of France is Paris.');
  franceFileId = france.id;
  vectorStoreId = (await fixture.client.vectorStores.create({ name: 'facts', file_ids: [france.id] })).id;
  await waitForStore(fixture.client, vectorStoreId);
});
after(() => fixture.close());
beforeEach(() => fixture.upstream.reset());

function code(source: string) {
  return { toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] };
}

/** Text deltas as the SDK handed them to `textDelta`: the piece and the annotations it carried. */
function recordTextDeltas(stream: ReturnType<typeof threadAndRunStream>) {
  const deltas: Array<{ value: string; annotations: AnnotationDelta[] }> = [];
  // Cloned: the SDK reuses a part's first delta as its snapshot and goes on changing it.
  stream.on('textDelta', (delta) =>
    deltas.push(structuredClone({ value: delta.value ?? '', annotations: delta.annotations ?? [] })),
  );
  return deltas;
}

/** The fields an annotation has both in a delta and in the completed message. */
function essentials(annotation: Annotation | AnnotationDelta) {
  const fileId =
    annotation.type === 'file_citation' ? annotation.file_citation?.file_id : annotation.file_path?.file_id;
  return {
    type: annotation.type,
    text: annotation.text,
    start: annotation.start_index,
    end: annotation.end_index,
    fileId,
  };
}

test('figures are image_file parts of the answer, before its text; textCreated comes before imageFileDone', async () => {
  const plots = [
    'import matplotlib.pyplot as plt',
    'plt.plot([1, 2, 3], [1, 4, 9]); plt.show()',
    'plt.plot([1, 2, 3], [1, 8, 27]); plt.show()',
  ].join('\n');
  fixture.upstream.script(code(plots), { text: ['Here are ', 'the charts.'] });
  const assistant = await createAssistant(fixture, { tools: [{ type: 'code_interpreter' }] });
  const images: string[] = [];
  const stream = threadAndRunStream(fixture, assistant.id, 'Plot squares and cubes.').on('imageFileDone', (image) =>
    images.push(image.file_id),
  );
  const recording = recordStream(stream);
  const run = await stream.finalRun();
  assert.equal(run.status, 'completed');

  const answerCallbacks = recording.callbacks.slice(recording.callbacks.indexOf('runStepCreated:message_creation'));
  // The quickstart draws each figure into the box textCreated opened, after the text.
  assert.deepEqual(answerCallbacks.slice(0, 8), [
    'runStepCreated:message_creation',
    'messageCreated',
    'textCreated',
    'textDelta',
    'textDone',
    'imageFileDone',
    'messageDone:completed',
    'runStepDone:message_creation:completed',
  ]);
  const [call] = completedToolCalls(recording.events);
  assert.ok(call?.type === 'code_interpreter');
  const drawn = call.code_interpreter.outputs.flatMap((output) =>
    output.type === 'image' ? [output.image.file_id] : [],
  );
  assert.equal(drawn.length, 2, 'the step outputs still carry both images');
  assert.deepEqual(images, drawn);

  const [answer] = await stream.finalMessages();
  const stored = await fixture.client.beta.threads.messages.retrieve(answer!.id, { thread_id: run.thread_id });
  for (const message of [answer!, stored]) {
    assert.deepEqual(
      message.content.map((part) => (part.type === 'image_file' ? part.image_file.file_id : part.type)),
      [...drawn, 'text'],
    );
    const text = message.content[2];
    assert.ok(text?.type === 'text');
    assert.equal(text.text.value, 'Here are the charts.');
  }
  const messages = await fixture.client.beta.threads.messages.list(run.thread_id);
  assert.equal(messages.data.filter((message) => message.role === 'assistant').length, 1, 'no separate image message');
});

test('a file_citation arrives in the delta that closes its marker, equal to the completed message', async () => {
  fixture.upstream.script(
    { toolCalls: [{ name: 'file_search', arguments: { queries: ['capital of France'] } }] },
    (request: RecordedRequest) => {
      const marker = /【\d+:\d+†[^】]*】/.exec(lastToolOutput(request))?.[0] ?? '(no marker)';
      return { text: ['Paris is the capital ', marker.slice(0, 4), `${marker.slice(4)}.`, ' Anything else?'] };
    },
  );
  const assistant = await createAssistant(fixture, {
    tools: [{ type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
  });
  const stream = threadAndRunStream(fixture, assistant.id, 'What is the capital of France?');
  const deltas = recordTextDeltas(stream);
  const run = await stream.finalRun();
  assert.equal(run.status, 'completed');

  assert.deepEqual(
    deltas.map((delta) => delta.annotations.length),
    [0, 0, 1, 0],
    'only the piece that closes the marker carries the annotation',
  );
  const streamed = deltas.flatMap((delta) => delta.annotations);
  assert.equal(streamed[0]?.index, 0);
  const [answer] = await stream.finalMessages();
  const text = answer!.content[0];
  assert.ok(text?.type === 'text');
  assert.deepEqual(streamed.map(essentials), text.text.annotations.map(essentials));
  assert.deepEqual(essentials(text.text.annotations[0]!), {
    type: 'file_citation',
    text: '【0:0†france.txt】',
    start: 'Paris is the capital '.length,
    end: 'Paris is the capital 【0:0†france.txt】'.length,
    fileId: franceFileId,
  });
});

test('a sandbox: link gets its file_path annotation while streaming, once its path has ended', async () => {
  fixture.upstream.script(code("open('/mnt/data/squares.csv', 'w').write('n,sq\\n1,1\\n2,4\\n')"), {
    text: ['Download ', '[the table](sandbox:/mnt/da', 'ta/squares.csv', ') when ready.'],
  });
  const assistant = await createAssistant(fixture, { tools: [{ type: 'code_interpreter' }] });
  const stream = threadAndRunStream(fixture, assistant.id, 'Write a CSV of squares.');
  const deltas = recordTextDeltas(stream);
  const run = await stream.finalRun();
  assert.equal(run.status, 'completed');

  assert.deepEqual(
    deltas.map((delta) => delta.annotations.length),
    [0, 0, 0, 1],
  );
  const [answer] = await stream.finalMessages();
  const text = answer!.content[0];
  assert.ok(text?.type === 'text');
  const streamed = deltas.flatMap((delta) => delta.annotations);
  assert.deepEqual(streamed.map(essentials), text.text.annotations.map(essentials));
  const [link] = text.text.annotations;
  assert.ok(link?.type === 'file_path');
  assert.equal(link.text, 'sandbox:/mnt/data/squares.csv');
  assert.equal(text.text.value.slice(link.start_index, link.end_index), link.text);
  const file = await fixture.client.files.retrieve(link.file_path.file_id);
  assert.equal(file.filename, 'squares.csv');
});

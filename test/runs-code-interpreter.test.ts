import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { assertValidStreamEvent, chatRequests } from './helpers/run-helpers.js';
import type { RecordedRequest } from './upstream/index.js';

let fixture: RunFixture;
let client: OpenAI;
let assistantId: string;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none' } });
  client = fixture.client;
  assistantId = (await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] })).id;
});

after(async () => {
  await fixture.close();
});

function toolOutput(request: RecordedRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: string }>;
  return messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
}

/** The run's code_interpreter calls, in order. */
async function codeCalls(threadId: string, runId: string) {
  const steps = await client.beta.threads.runs.steps.list(runId, { thread_id: threadId, order: 'asc' });
  return steps.data.flatMap((step) =>
    step.step_details.type === 'tool_calls'
      ? step.step_details.tool_calls.filter(
          (call): call is OpenAI.Beta.Threads.Runs.CodeInterpreterToolCall => call.type === 'code_interpreter',
        )
      : [],
  );
}

function code(source: string) {
  return { toolCalls: [{ name: 'code_interpreter', arguments: { code: source } }] };
}

describe('code_interpreter in runs', () => {
  test('print(6*7) comes back as logs 42, streamed as step deltas', async () => {
    fixture.upstream.script(code('print(6*7)'), (request) => ({
      text: `The answer is ${toolOutput(request).trim()}.`,
    }));
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 6 times 7?' }] });
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
    let streamedInput = '';
    let streamedLogs = '';
    stream.on('toolCallDelta', (delta) => {
      if (delta.type !== 'code_interpreter') return;
      streamedInput += delta.code_interpreter?.input ?? '';
      for (const output of delta.code_interpreter?.outputs ?? [])
        if (output.type === 'logs') streamedLogs += output.logs ?? '';
    });
    for await (const event of stream) assertValidStreamEvent(structuredClone(event));
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed');
    assert.equal(streamedInput, 'print(6*7)');
    assert.equal(streamedLogs.trim(), '42');
    const [call] = await codeCalls(thread.id, run.id);
    assert.equal(call!.code_interpreter.input, 'print(6*7)');
    assert.deepEqual(call!.code_interpreter.outputs, [{ type: 'logs', logs: '42' }]);
    const [answer] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
    assert.equal((answer!.content[0] as OpenAI.Beta.Threads.TextContentBlock).text.value, 'The answer is 42.');
  });

  test('state survives between two runs of the same thread', async () => {
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Remember 21.' }] });
    fixture.upstream.script(code('x = 21'), { text: 'Stored.' });
    assert.equal(
      (await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId })).status,
      'completed',
    );
    await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'Double it.' });
    fixture.upstream.script(code('print(x * 2)'), { text: 'Done.' });
    const second = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
    assert.equal(second.status, 'completed');
    const [call] = await codeCalls(thread.id, second.id);
    assert.deepEqual(call!.code_interpreter.outputs, [{ type: 'logs', logs: '42' }]);
  });

  test('a CSV attachment is read with pandas from /mnt/data', async () => {
    const csv = await client.files.create({
      file: await OpenAI.toFile(Buffer.from('city,people\nParis,2100000\nLyon,520000\n'), 'cities.csv'),
      purpose: 'assistants',
    });
    fixture.upstream.script(
      code("import pandas as pd\ndf = pd.read_csv('/mnt/data/cities.csv')\nprint(int(df.people.sum()))"),
      { text: 'Summed.' },
    );
    const run = await client.beta.threads.createAndRunPoll({
      assistant_id: assistantId,
      thread: {
        messages: [
          {
            role: 'user',
            content: 'Total population?',
            attachments: [{ file_id: csv.id, tools: [{ type: 'code_interpreter' }] }],
          },
        ],
      },
    });
    assert.equal(run.status, 'completed');
    const [call] = await codeCalls(run.thread_id, run.id);
    assert.deepEqual(call!.code_interpreter.outputs, [{ type: 'logs', logs: '2620000' }]);
  });

  test('a plot becomes an image_file in the assistant’s messages, and its bytes are a PNG', async () => {
    fixture.upstream.script(code('import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.show()'), {
      text: 'Here is the chart.',
    });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Plot squares.' }] });
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
    assert.equal(run.status, 'completed');
    const [call] = await codeCalls(thread.id, run.id);
    const image = call!.code_interpreter.outputs.find(
      (output) => output.type === 'image',
    ) as OpenAI.Beta.Threads.Runs.CodeInterpreterToolCall.CodeInterpreter.Image;
    assert.ok(image, 'the step has an image output');
    const messages = (await client.beta.threads.messages.list(thread.id, { run_id: run.id, order: 'asc' })).data;
    const imagePart = messages
      .flatMap((message) => message.content)
      .find((part) => part.type === 'image_file') as OpenAI.Beta.Threads.ImageFileContentBlock;
    assert.equal(imagePart.image_file.file_id, image.image.file_id);
    const file = await client.files.retrieve(image.image.file_id);
    assert.equal(file.purpose, 'assistants_output');
    const bytes = Buffer.from(await (await client.files.content(file.id)).arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.match(toolOutput(chatRequests(fixture).at(-1)!), /1 figure shown to the user/);
  });

  test('a file the code writes is downloadable, and the link in the answer is a file_path annotation', async () => {
    fixture.upstream.script(code("open('/mnt/data/report.csv', 'w').write('a,b\\n1,2\\n')"), {
      text: 'Download it: [report](sandbox:/mnt/data/report.csv).',
    });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Make a CSV.' }] });
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
    assert.equal(run.status, 'completed');
    const [answer] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
    const text = (answer!.content[0] as OpenAI.Beta.Threads.TextContentBlock).text;
    const annotation = text.annotations[0] as OpenAI.Beta.Threads.FilePathAnnotation;
    assert.equal(annotation.type, 'file_path');
    assert.equal(annotation.text, 'sandbox:/mnt/data/report.csv');
    assert.equal(text.value.slice(annotation.start_index, annotation.end_index), annotation.text);
    assert.equal(await (await client.files.content(annotation.file_path.file_id)).text(), 'a,b\n1,2\n');
    assert.equal((await client.files.retrieve(annotation.file_path.file_id)).filename, 'report.csv');
  });

  test('deleting the thread closes its session and removes its /mnt/data', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sandbox-root-'));
    chmodSync(root, 0o711);
    const own = await startRunFixture({ env: { EMBEDDING_MODEL: 'none', CODE_INTERPRETER_DIR: root } });
    try {
      const assistant = await own.client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
      });
      own.upstream.script(code("open('/mnt/data/kept.txt', 'w').write('x')"), { text: 'Saved.' });
      const run = await own.client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'Save.' }] },
      });
      assert.equal(run.status, 'completed');
      assert.ok(
        existsSync(path.join(root, run.thread_id, 'kept.txt')),
        'the work dir holds the file while the thread lives',
      );
      await own.client.beta.threads.delete(run.thread_id);
      assert.equal(existsSync(path.join(root, run.thread_id)), false);
    } finally {
      await own.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('an infinite loop times out, the run still completes, and the server stays healthy', async () => {
    const quick = await startRunFixture({ env: { EMBEDDING_MODEL: 'none', CODE_INTERPRETER_TIMEOUT_MS: '1500' } });
    try {
      const assistant = await quick.client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
      });
      quick.upstream.script(code('while True:\n    pass'), { text: 'That took too long.' });
      const run = await quick.client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'Loop.' }] },
      });
      assert.equal(run.status, 'completed');
      const [call] = await (async () => {
        const steps = await quick.client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
        return steps.data.flatMap((step) =>
          step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [],
        );
      })();
      assert.equal(call!.type, 'code_interpreter');
      assert.match(
        toolOutput(quick.upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).at(-1)!),
        /timed out/,
      );
      assert.equal((await fetch(`${quick.server.url}/health`)).status, 200);
    } finally {
      await quick.close();
    }
  });
});

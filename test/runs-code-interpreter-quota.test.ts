import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

/**
 * code_interpreter's disk quota and output limits through real runs, with small settings: /mnt/data may
 * hold 4 MB, and one call turns at most 3 files and 2 MB into Files.
 */
const MB = 1024 * 1024;
const QUOTA = 4 * MB;

let fixture: RunFixture;
let client: OpenAI;
let assistantId: string;
let sandboxRoot: string;

before(async () => {
  sandboxRoot = mkdtempSync(path.join(tmpdir(), 'quota-root-'));
  chmodSync(sandboxRoot, 0o711);
  fixture = await startRunFixture({
    env: {
      EMBEDDING_MODEL: 'none',
      CODE_INTERPRETER_DIR: sandboxRoot,
      CODE_INTERPRETER_TIMEOUT_MS: '20000',
      CODE_INTERPRETER_DISK_MB: '4',
      CODE_INTERPRETER_MAX_OUTPUT_FILES: '3',
      CODE_INTERPRETER_MAX_OUTPUT_MB: '2',
    },
  });
  client = fixture.client;
  assistantId = (await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] })).id;
});

after(async () => {
  await fixture.close();
  rmSync(sandboxRoot, { recursive: true, force: true });
});

/** Bytes of the regular files under `dir`. */
function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => lstatSync(path.join(dir, name), { throwIfNoEntry: false }))
    .reduce((total, stats) => total + (stats?.isFile() ? stats.size : 0), 0);
}

/** The largest any thread's work dir got while `work` ran. */
async function peakWorkDirBytes<T>(work: Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = 0;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      for (const name of readdirSync(sandboxRoot)) {
        if (!name.endsWith('.lock')) peakBytes = Math.max(peakBytes, bytesUnder(path.join(sandboxRoot, name)));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    return { result: await work, peakBytes };
  } finally {
    done = true;
    await sampling;
  }
}

/** Runs `code` in a new thread through a real run; returns the run, its call's logs and what the model read. */
async function runCode(code: string) {
  fixture.upstream.script({ toolCalls: [{ name: 'code_interpreter', arguments: { code } }] }, { text: 'Done.' });
  const { result: run, peakBytes } = await peakWorkDirBytes(
    client.beta.threads.createAndRunPoll({
      assistant_id: assistantId,
      thread: { messages: [{ role: 'user', content: 'Go.' }] },
    }),
  );
  const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
  const call = steps.data
    .flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : []))
    .find((toolCall) => toolCall.type === 'code_interpreter') as OpenAI.Beta.Threads.Runs.CodeInterpreterToolCall;
  const logs = call.code_interpreter.outputs
    .flatMap((output) => (output.type === 'logs' ? [output.logs] : []))
    .join('');
  const chat = fixture.upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).at(-1)!;
  const messages = chat.body.messages as Array<{ role: string; content: string }>;
  const modelRead = messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
  return { run, logs, modelRead, peakBytes };
}

/** Files the runs made, by name. */
async function outputFiles(): Promise<Map<string, number>> {
  const files = await client.files.list({ purpose: 'assistants_output' });
  return new Map(files.data.map((file) => [file.filename, file.bytes]));
}

describe('code_interpreter disk quota and output limits in runs', () => {
  test('code writing past the quota is stopped: the logs say so, the run completes, disk stays bounded', async () => {
    const code =
      'import time\ni = 0\nwhile True:\n    open(f"/mnt/data/flood-{i}.bin", "wb").write(b"x" * 262144)\n' +
      '    i += 1\n    time.sleep(0.005)';
    const { run, logs, modelRead, peakBytes } = await runCode(code);
    assert.equal(run.status, 'completed', 'the run goes on after the quota error');
    assert.match(logs, /Execution was stopped because \/mnt\/data went over its disk quota/);
    assert.match(
      logs,
      /\[Disk quota exceeded: \/mnt\/data may hold at most 4\.0 MB, and this call took it to [\d.]+ MB\./,
    );
    assert.doesNotMatch(logs, /timed out/);
    assert.match(modelRead, /Disk quota exceeded/, 'the model reads the error too');
    assert.ok(peakBytes < QUOTA + 16 * MB, `the work dir peaked at ${(peakBytes / MB).toFixed(1)} MB`);
    assert.ok(bytesUnder(path.join(sandboxRoot, run.thread_id)) <= QUOTA, 'within the quota after the call');
    assert.deepEqual(readdirSync(path.join(sandboxRoot, run.thread_id)), [], 'all the call wrote was removed');
    const files = await outputFiles();
    assert.deepEqual(
      [...files.keys()].filter((name) => name.startsWith('flood-')),
      [],
      'nothing it wrote became a File',
    );
  });

  test('files past the per-call limits stay in /mnt/data, and the logs list them', async () => {
    const code =
      'open("/mnt/data/big.bin", "wb").write(b"b" * (3 * 1024 * 1024))\n' +
      'for i in range(1, 6):\n    open(f"/mnt/data/s{i}.txt", "w").write("small " * 1000)';
    const { run, logs, modelRead } = await runCode(code);
    assert.equal(run.status, 'completed');
    const note =
      '[Not saved as Files (one call saves at most 3 files and 2.0 MB); they stay in /mnt/data: ' +
      'big.bin (3.0 MB), s4.txt (6 KB), s5.txt (6 KB).]';
    assert.equal(logs, note);
    assert.equal(modelRead, note);
    const files = await outputFiles();
    assert.deepEqual([...files.keys()].filter((name) => /^(big|s\d)/.test(name)).sort(), [
      's1.txt',
      's2.txt',
      's3.txt',
    ]);
    for (const [name, bytes] of files) assert.ok(bytes <= 2 * MB, `${name} is ${bytes} bytes`);
    assert.ok(existsSync(path.join(sandboxRoot, run.thread_id, 'big.bin')), 'what was not saved is still there');
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';

/**
 * Escapes attempted through the whole product: the model "writes" hostile code, the run executes it
 * in the sandbox. Each must fail inside the sandbox while the run still completes and the server stays
 * healthy. (The sandbox's own tests check the same containment in more depth.)
 */
let fixture: RunFixture;
let client: OpenAI;
let assistantId: string;
let listener: Server;
let port: number;
let connections = 0;
let hostDir: string;

before(async () => {
  fixture = await startRunFixture({ env: { EMBEDDING_MODEL: 'none', CODE_INTERPRETER_TIMEOUT_MS: '4000' } });
  client = fixture.client;
  assistantId = (await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] })).id;
  listener = createServer((socket) => {
    connections += 1;
    socket.end('secret');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
  hostDir = mkdtempSync(path.join(tmpdir(), 'escape-'));
  writeFileSync(path.join(hostDir, 'planted.txt'), 'host secret');
});

after(async () => {
  listener.close();
  rmSync(hostDir, { recursive: true, force: true });
  await fixture.close();
});

/** Runs `code` through a real run and returns the logs of its code_interpreter call. */
async function runCode(code: string): Promise<string> {
  fixture.upstream.script({ toolCalls: [{ name: 'code_interpreter', arguments: { code } }] }, { text: 'Done.' });
  const run = await client.beta.threads.createAndRunPoll({
    assistant_id: assistantId,
    thread: { messages: [{ role: 'user', content: 'Run it.' }] },
  });
  assert.equal(run.status, 'completed', 'the run reaches a terminal state normally');
  const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
  const call = steps.data.flatMap((step) =>
    step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [],
  )[0];
  assert.equal(call?.type, 'code_interpreter');
  const outputs = (call as OpenAI.Beta.Threads.Runs.CodeInterpreterToolCall).code_interpreter.outputs;
  assert.equal((await fetch(`${fixture.server.url}/health`)).status, 200, 'the server stays healthy');
  return outputs.flatMap((output) => (output.type === 'logs' ? [output.logs] : [])).join('');
}

describe('escapes attempted through a run all fail inside the sandbox', () => {
  test('connecting to a loopback port the host opened', async () => {
    const logs = await runCode(
      `import socket\ntry:\n    socket.create_connection(('127.0.0.1', ${port}), timeout=2)\n    print('CONNECTED')\nexcept OSError as error:\n    print('blocked', type(error).__name__)`,
    );
    assert.match(logs, /blocked/);
    assert.equal(connections, 0);
  });

  test('reading a file planted outside /mnt/data', async () => {
    const logs = await runCode(
      `try:\n    print(open(${JSON.stringify(path.join(hostDir, 'planted.txt'))}).read())\nexcept OSError as error:\n    print('blocked', type(error).__name__)`,
    );
    assert.match(logs, /blocked/);
    assert.doesNotMatch(logs, /host secret/);
  });

  test('writing outside /mnt/data', async () => {
    const target = path.join(hostDir, 'written.txt');
    const logs = await runCode(
      `for target in [${JSON.stringify(target)}, '/usr/escape.txt', '/etc/escape.txt']:\n    try:\n        open(target, 'w').write('x')\n        print('WROTE', target)\n    except OSError as error:\n        print('blocked', type(error).__name__)`,
    );
    assert.doesNotMatch(logs, /WROTE/);
    assert.equal(existsSync(target), false);
    assert.equal(existsSync('/usr/escape.txt'), false);
  });

  test('a fork bomb', async () => {
    const logs = await runCode(
      'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        continue',
    );
    assert.match(logs, /timed out/i);
  });

  test('a memory bomb', async () => {
    const logs = await runCode(
      "try:\n    hog = bytearray(8 * 1024 ** 3)\n    print('ALLOCATED')\nexcept MemoryError:\n    print('blocked MemoryError')",
    );
    assert.match(logs, /blocked MemoryError/);
  });

  test('an infinite loop', async () => {
    const logs = await runCode('while True:\n    pass');
    assert.match(logs, /timed out/i);
  });

  test('a flood of output', async () => {
    const logs = await runCode("for i in range(300_000):\n    print('flood line', i)");
    assert.ok(logs.length < 200_000, `logs kept to a bounded size (${logs.length} characters)`);
    assert.match(logs, /truncated/i);
  });
});

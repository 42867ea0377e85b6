import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type OpenAI from 'openai';
import { BubblewrapSandbox } from '../../../src/tools/code-interpreter/index.js';
import type { Abuse } from '../abuse.js';
import { describeRun, secondsSince, shorten, waitForRun } from '../api.js';

/** Bounded even if nothing stopped it: 3,072 files of 1 MiB, three times the default quota of 1 GiB. */
const FLOOD = [
  'written = 0',
  'for i in range(3072):',
  '    with open(f"/mnt/data/flood-{i}.bin", "wb") as f:',
  '        f.write(b"x" * 1048576)',
  '    written += 1',
  'print(f"wrote {written} MiB")',
].join('\n');

/** A run whose model calls code_interpreter with a loop writing past /mnt/data's disk quota. */
export const diskQuota: Abuse = {
  name: 'disk-quota',
  title: 'code_interpreter writing 3 GiB (quota 1 GiB)',
  memoryGoal: false,
  async prepare({ client, upstream, codeInterpreterDir }) {
    // The same probe the server makes at start-up: without bubblewrap the tool only answers with an error.
    const sandbox = await BubblewrapSandbox.create();
    if (!sandbox.available) return { skip: `code_interpreter unavailable here: ${sandbox.unavailableReason}` };
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Fill the disk.' }] });
    return {
      async run(deadline) {
        upstream.script({ toolCalls: [{ name: 'code_interpreter', arguments: { code: FLOOD } }] }, { text: 'Done.' });
        const started = performance.now();
        const created = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
        const run = await waitForRun(client, thread.id, created.id, deadline);
        const logs = run ? await callLogs(client, thread.id, run.id) : '';
        const left = megabytesUnder(path.join(codeInterpreterDir, thread.id));
        return `${describeRun(run, secondsSince(started))}; logs: ${shorten(logs, 120)}; /mnt/data after: ${left} MB`;
      },
    };
  },
};

/** The logs of the run's code_interpreter call: what the model was told. */
async function callLogs(client: OpenAI, threadId: string, runId: string): Promise<string> {
  const steps = await client.beta.threads.runs.steps.list(runId, { thread_id: threadId });
  return steps.data
    .flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : []))
    .flatMap((call) => (call.type === 'code_interpreter' ? call.code_interpreter.outputs : []))
    .flatMap((output) => (output.type === 'logs' ? [output.logs] : []))
    .join(' ');
}

function megabytesUnder(directory: string): string {
  let bytes = 0;
  try {
    for (const name of readdirSync(directory, { recursive: true }) as string[]) {
      const stats = lstatSync(path.join(directory, name), { throwIfNoEntry: false });
      if (stats?.isFile()) bytes += stats.size;
    }
  } catch {
    return '0 (no work dir)';
  }
  return (bytes / 1e6).toFixed(0);
}

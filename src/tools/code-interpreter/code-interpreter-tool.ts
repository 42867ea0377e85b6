import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { ToolDefinition } from '../../providers/index.js';
import type { BuiltinTool, BuiltinToolContext, BuiltinToolOutcome, StepToolCall } from '../builtin-tool.js';
import { DiskQuotaError } from './disk-quota.js';
import { describeSkipped, type OutputLimits, withinOutputLimits } from './output-limits.js';
import type { ProjectFiles } from './project-files.js';
import type { CodeSessions } from './sessions.js';

export interface CodeInterpreterDependencies {
  /** Undefined when no sandbox is available: the tool then fails every call with `unavailableReason`. */
  sessions: CodeSessions | undefined;
  unavailableReason: string | undefined;
  /** Inputs placed in the sandbox, and outputs kept as Files. */
  files: ProjectFiles;
  timeoutMs: number;
  /** How many of the files one call writes, and how many bytes of them, may become Files. */
  outputLimits: OutputLimits;
}

type CodeCall = Extract<StepToolCall, { type: 'code_interpreter' }>;

/**
 * code_interpreter: Python in the thread's warm sandbox session. The thread's and assistant's files
 * (and code_interpreter attachments) are placed in /mnt/data; files the code writes there become
 * Files, figures become images shown in the assistant's message.
 */
export function createCodeInterpreterTool(deps: CodeInterpreterDependencies): BuiltinTool {
  /** Which files each thread's work dir already holds, so inputs are copied once per session. */
  const placed = new Map<string, Set<string>>();

  return {
    type: 'code_interpreter',
    definition: (): ToolDefinition => ({
      name: 'code_interpreter',
      description:
        'Run Python 3 code in a stateful sandbox (variables persist between calls). numpy, pandas and matplotlib are installed; ' +
        'there is no internet access. Files the user provided are in /mnt/data; save files you create to /mnt/data and link them as ' +
        'sandbox:/mnt/data/<name>. Show figures with plt.show(). The result is the printed output.',
      parameters: {
        type: 'object',
        properties: { code: { type: 'string', description: 'The Python code to run.' } },
        required: ['code'],
        additionalProperties: false,
      },
    }),

    async execute(argumentsJson: string, context: BuiltinToolContext): Promise<BuiltinToolOutcome> {
      const code = parseCode(argumentsJson);
      const toolCall: CodeCall = {
        id: context.callId,
        type: 'code_interpreter',
        code_interpreter: { input: code, outputs: [] },
      };
      if (!deps.sessions) {
        const message = `The code interpreter is not available on this server: ${deps.unavailableReason ?? 'no sandbox'}.`;
        toolCall.code_interpreter.outputs.push({ type: 'logs', logs: message });
        return { toolCall, modelOutput: message };
      }
      const threadId = context.run.thread_id;
      const sessions = deps.sessions;
      const session = await sessions.get(threadId);
      if (!sessions.has(threadId) || !session.alive) placed.delete(threadId);
      const inputNotes = await placeInputs(threadId, context);
      const before = await sessions.snapshot(threadId);
      const result = await session.execute(code, { signal: context.signal, timeoutMs: deps.timeoutMs });
      // The quota may have removed inputs too; placing them again is cheap next to losing them.
      if (result.restarted || result.diskQuotaExceeded) placed.delete(threadId);
      const { kept, skipped } = withinOutputLimits(await sessions.changedFiles(threadId, before), deps.outputLimits);
      const notes = skipped.length > 0 ? [describeSkipped(skipped, deps.outputLimits)] : [];
      const logs = [...inputNotes, result.logs, ...notes].filter((part) => part !== '').join('\n');
      const outputs: CodeCall['code_interpreter']['outputs'] = [];
      if (logs !== '') outputs.push({ type: 'logs', logs });
      const imageFileIds: string[] = [];
      for (const [index, image] of result.images.entries()) {
        const file = await deps.files.save(
          context.project,
          `${context.callId}-figure-${index + 1}.png`,
          Readable.from([image]),
        );
        imageFileIds.push(file.id);
        outputs.push({ type: 'image', image: { file_id: file.id } });
      }
      const created: string[] = [];
      for (const changed of kept) {
        const { stream } = await sessions.openFile(threadId, changed.filename);
        const file = await deps.files.save(context.project, basename(changed.filename), stream);
        context.generatedFiles.set(`/mnt/data/${changed.filename}`, file.id);
        created.push(`sandbox:/mnt/data/${changed.filename}`);
      }
      toolCall.code_interpreter.outputs = outputs;
      return { toolCall, modelOutput: describe(logs, imageFileIds.length, created), imageFileIds };
    },

    replayOutput(toolCall: StepToolCall): string {
      if (toolCall.type !== 'code_interpreter') return '';
      const { outputs } = toolCall.code_interpreter;
      const logs = outputs.flatMap((output) => (output.type === 'logs' ? [output.logs] : [])).join('\n');
      return describe(logs, outputs.filter((output) => output.type === 'image').length, []);
    },
  };

  /** Copies the call's files into /mnt/data once per session; returns notes for the logs about any that did not fit. */
  async function placeInputs(threadId: string, context: BuiltinToolContext): Promise<string[]> {
    const done = placed.get(threadId) ?? new Set<string>();
    placed.set(threadId, done);
    const notes: string[] = [];
    for (const fileId of context.codeFileIds) {
      if (done.has(fileId)) continue;
      const file = await deps.files.open(context.project, fileId);
      if (!file) continue;
      try {
        await deps.sessions!.writeInput(threadId, file.filename, file.stream);
        done.add(fileId);
      } catch (error) {
        if (!(error instanceof DiskQuotaError)) throw error;
        file.stream.destroy();
        notes.push(`[${error.message}.]`);
      }
    }
    return notes;
  }
}

function parseCode(argumentsJson: string): string {
  try {
    const parsed = JSON.parse(argumentsJson) as unknown;
    if (typeof parsed === 'string') return parsed;
    const code = (parsed as { code?: unknown })?.code;
    return typeof code === 'string' ? code : '';
  } catch {
    // Some models send the code itself instead of JSON arguments.
    return argumentsJson;
  }
}

/** What the model reads back: the logs (the sandbox itself notes timeouts and restarts there), figures and files. */
function describe(logs: string, images: number, files: readonly string[]): string {
  const parts = [logs === '' ? '(no output)' : logs];
  if (images > 0) parts.push(`[${images} figure${images === 1 ? '' : 's'} shown to the user]`);
  if (files.length > 0) parts.push(`[Files saved: ${files.join(', ')}]`);
  return parts.join('\n');
}

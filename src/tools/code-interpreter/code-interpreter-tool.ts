import type { ToolDefinition } from '../../providers/index.js';
import type { BuiltinTool, BuiltinToolContext, BuiltinToolOutcome, StepToolCall } from '../builtin-tool.js';
import { keepAsFiles, keepInContainer } from './call-outputs.js';
import type { ContainerFiles } from './container-files.js';
import { describeSkipped, type OutputLimits, withinOutputLimits } from './output-limits.js';
import type { ProjectFiles } from './project-files.js';
import type { CodeSessions } from './sessions.js';
import { WorkDirInputs } from './work-dir-inputs.js';

export interface CodeInterpreterDependencies {
  /** Undefined when no sandbox is available: the tool then fails every call with `unavailableReason`. */
  sessions: CodeSessions | undefined;
  unavailableReason: string | undefined;
  /** Inputs placed in the sandbox, and outputs kept as Files. */
  files: ProjectFiles;
  /** Containers' files, for calls that run in a container (`BuiltinToolContext.containerId`). */
  containerFiles: ContainerFiles;
  timeoutMs: number;
  /** How many of the files one call writes, and how many bytes of them, may become Files. */
  outputLimits: OutputLimits;
}

type CodeCall = Extract<StepToolCall, { type: 'code_interpreter' }>;

/** How the model sees code_interpreter: a function it calls. */
export const CODE_INTERPRETER_DEFINITION: ToolDefinition = {
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
};

/**
 * code_interpreter: Python in the thread's warm sandbox session. The thread's and assistant's files
 * (and code_interpreter attachments) are placed in /mnt/data; files the code writes there become
 * Files, figures become images shown in the assistant's message.
 *
 * A call with a `containerId` (the Responses API) runs in that container's own session instead: /mnt/data holds the
 * container's files, and what the code writes (figures too) becomes files of the container (source `assistant`).
 */
export function createCodeInterpreterTool(deps: CodeInterpreterDependencies): BuiltinTool {
  const inputs = deps.sessions && new WorkDirInputs(deps.sessions, deps.files, deps.containerFiles);

  return {
    type: 'code_interpreter',
    definition: (): ToolDefinition => CODE_INTERPRETER_DEFINITION,

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
      const sessionId = context.containerId ?? context.run.thread_id;
      if (context.containerId !== undefined && !(await deps.containerFiles.touch(context.project, sessionId))) {
        const message = `The container ${sessionId} is expired or was deleted: its files and Python session are gone.`;
        toolCall.code_interpreter.outputs.push({ type: 'logs', logs: message });
        return { toolCall, modelOutput: message };
      }
      const sessions = deps.sessions;
      const session = await sessions.get(sessionId);
      if (!sessions.has(sessionId) || !session.alive) inputs!.forget(sessionId);
      const inputNotes =
        context.containerId === undefined
          ? await inputs!.placeFiles(sessionId, context.project, context.codeFileIds)
          : await inputs!.syncContainer(sessionId, context.project);
      const before = await sessions.snapshot(sessionId);
      const result = await session.execute(code, { signal: context.signal, timeoutMs: deps.timeoutMs });
      // The quota may have removed inputs too; placing them again is cheap next to losing them.
      if (result.restarted || result.diskQuotaExceeded) inputs!.forget(sessionId);
      const { kept, skipped } = withinOutputLimits(await sessions.changedFiles(sessionId, before), deps.outputLimits);
      const notes = skipped.length > 0 ? [describeSkipped(skipped, deps.outputLimits)] : [];
      const logs = [...inputNotes, result.logs, ...notes].filter((part) => part !== '').join('\n');
      const outputs: CodeCall['code_interpreter']['outputs'] = [];
      if (logs !== '') outputs.push({ type: 'logs', logs });
      const products = { sessionId, context, images: result.images, written: kept };
      const { imageFileIds, created } =
        context.containerId === undefined
          ? await keepAsFiles({ sessions, files: deps.files }, products, outputs)
          : await keepInContainer(
              { sessions, containerFiles: deps.containerFiles, inputs: inputs! },
              products,
              outputs,
            );
      toolCall.code_interpreter.outputs = outputs;
      const figures = outputs.filter((output) => output.type === 'image').length;
      return { toolCall, modelOutput: describe(logs, figures, created), imageFileIds };
    },

    replayOutput(toolCall: StepToolCall): string {
      if (toolCall.type !== 'code_interpreter') return '';
      const { outputs } = toolCall.code_interpreter;
      const logs = outputs.flatMap((output) => (output.type === 'logs' ? [output.logs] : [])).join('\n');
      return describe(logs, outputs.filter((output) => output.type === 'image').length, []);
    },
  };
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

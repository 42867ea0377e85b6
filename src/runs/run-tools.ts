import type { Run, ToolResources } from '../api/types.js';
import type { ToolDefinition } from '../providers/index.js';
import type { StoredRun } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import type { BuiltinTool } from '../tools/builtin-tool.js';
import { toToolDefinitions } from './chat-tools.js';

/** The files and vector stores a run's built-in tools may use. */
export interface RunResources {
  vectorStoreIds: string[];
  codeFileIds: string[];
}

/**
 * The tools of a run as the model sees them: its function tools plus the built-in tools it enabled
 * (file_search, code_interpreter), which the engine executes itself.
 */
export class RunTools {
  readonly #builtins: ReadonlyMap<string, BuiltinTool>;

  constructor(
    private readonly store: Store,
    builtins: readonly BuiltinTool[],
  ) {
    this.#builtins = new Map(builtins.map((tool) => [tool.type, tool]));
  }

  definitions(run: Run): ToolDefinition[] {
    const functions = toToolDefinitions(run);
    const taken = new Set(functions.map((tool) => tool.name));
    const builtins = this.#enabled(run)
      .filter((tool) => !taken.has(tool.type))
      .map((tool) => tool.definition(run));
    return [...builtins, ...functions];
  }

  /** The built-in tool a call names, if the run enabled it (a user function of the same name wins). */
  builtin(run: Run, name: string): BuiltinTool | undefined {
    if (toToolDefinitions(run).some((tool) => tool.name === name)) return undefined;
    return this.#enabled(run).find((tool) => tool.type === name);
  }

  /** Any built-in tool by type (to replay recorded calls). */
  byType(type: string): BuiltinTool | undefined {
    return this.#builtins.get(type);
  }

  /**
   * Vector stores: the assistant's and the thread's (or the run's own `tool_resources`, from
   * createThreadAndRun). Code files: the same sources' code_interpreter files plus every thread
   * message attachment meant for code_interpreter.
   */
  async resources(stored: StoredRun): Promise<RunResources> {
    const { project, run, state } = stored;
    const [assistant, thread, attachmentFiles] = await Promise.all([
      this.store.assistants.get(project, run.assistant_id),
      this.store.threads.get(project, run.thread_id),
      this.store.messages.codeInterpreterAttachments(project, run.thread_id),
    ]);
    const sources: Array<ToolResources | null | undefined> = [
      assistant?.tool_resources,
      state.toolResources ?? thread?.tool_resources,
    ];
    return {
      vectorStoreIds: unique(sources.flatMap((source) => source?.file_search?.vector_store_ids ?? [])),
      codeFileIds: unique([
        ...sources.flatMap((source) => source?.code_interpreter?.file_ids ?? []),
        ...attachmentFiles,
      ]),
    };
  }

  #enabled(run: Run): BuiltinTool[] {
    return run.tools.flatMap((tool) => {
      const builtin = tool.type === 'function' ? undefined : this.#builtins.get(tool.type);
      return builtin ? [builtin] : [];
    });
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

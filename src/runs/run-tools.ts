import type { ResponseSettings } from '../api/response-settings.js';
import type { Run, ToolResources } from '../api/types.js';
import type { ToolDefinition } from '../providers/index.js';
import type { RunState, StoredRun } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import type { BuiltinTool } from '../tools/builtin-tool.js';
import type { AttributeFilter } from '../tools/file-search/attribute-filter.js';
import { toToolDefinitions } from './chat-tools.js';

/** The files and vector stores a run's built-in tools may use. */
export interface RunResources {
  vectorStoreIds: string[];
  codeFileIds: string[];
  /** A response's code_interpreter container. */
  containerId?: string;
  /** A response's file_search `filters`. */
  fileSearchFilter?: AttributeFilter;
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

  /**
   * A response that used up its `max_tool_calls` is offered its functions only; one whose `tool_choice` is
   * `allowed_tools` only the tools listed there.
   */
  definitions(run: Run, state?: RunState): ToolDefinition[] {
    const functions = toToolDefinitions(run);
    const taken = new Set(functions.map((tool) => tool.name));
    const builtins =
      state?.response && builtinCallsLeft(state.response) <= 0
        ? []
        : this.#enabled(run)
            .filter((tool) => !taken.has(tool.type))
            .map((tool) => tool.definition(run));
    const all = [...builtins, ...functions];
    const allowed = state?.response ? allowedToolNames(state.response) : undefined;
    return allowed ? all.filter((tool) => allowed.has(tool.name)) : all;
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
    if (state.response) return responseResources(state.response);
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

/** How many more built-in calls a response may make (`max_tool_calls`). */
export function builtinCallsLeft(settings: ResponseSettings): number {
  const max = settings.echo.max_tool_calls;
  return max === null ? Number.POSITIVE_INFINITY : max - settings.builtinCalls;
}

/** The tools an `allowed_tools` choice lists, by the name the model sees (a built-in's is its type). */
function allowedToolNames(settings: ResponseSettings): Set<string> | undefined {
  const choice = settings.echo.tool_choice as { type?: string; tools?: Array<{ type: string; name?: string }> };
  if (choice?.type !== 'allowed_tools' || !Array.isArray(choice.tools)) return undefined;
  return new Set(choice.tools.map((tool) => (tool.type === 'function' ? (tool.name ?? '') : tool.type)));
}

/** A response names its vector stores (and their filter) on its file_search tool, and runs code in its container. */
function responseResources(settings: ResponseSettings): RunResources {
  const fileSearch = settings.echo.tools.find((tool) => tool.type === 'file_search') as
    | { vector_store_ids?: string[]; filters?: AttributeFilter | null }
    | undefined;
  return {
    vectorStoreIds: unique(fileSearch?.vector_store_ids ?? []),
    codeFileIds: [],
    ...(settings.containerId ? { containerId: settings.containerId } : {}),
    ...(fileSearch?.filters ? { fileSearchFilter: fileSearch.filters } : {}),
  };
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

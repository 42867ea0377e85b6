import type { Run, RunStep } from '../api/types.js';
import type { ToolDefinition } from '../providers/index.js';
import type { AttributeFilter } from './file-search/attribute-filter.js';

/** A tool call as a run step records it (file_search or code_interpreter form). */
export type StepToolCall = Extract<RunStep['step_details'], { type: 'tool_calls' }>['tool_calls'][number];

/** What a built-in tool knows about the run that called it. */
export interface BuiltinToolContext {
  project: string;
  run: Run;
  /** Vector stores in reach: the assistant's and the thread's (or the run's override). */
  vectorStoreIds: readonly string[];
  /** Files for code_interpreter: the assistant's, the thread's and code_interpreter attachments. */
  codeFileIds: readonly string[];
  /** How many calls of this tool the run made before this one (numbers citation markers). */
  ordinal: number;
  callId: string;
  signal: AbortSignal;
  /**
   * Files the run's code wrote, by sandbox path (`/mnt/data/x.csv` → file id), for `file_path` annotations; in a
   * container, the container file's id (`cfile_…`), for `container_file_citation` annotations.
   */
  generatedFiles: Map<string, string>;
  /**
   * The container code_interpreter runs in (Responses API): its own session and /mnt/data, holding the container's
   * files, instead of the thread's. `codeFileIds` are not placed then: a container's files are what it holds.
   */
  containerId?: string;
  /** A Responses `file_search` tool's `filters`: only files whose attributes match are searched. */
  fileSearchFilter?: AttributeFilter;
}

/** The result of one built-in call: the step's record of it, and what goes back to the model. */
export interface BuiltinToolOutcome {
  toolCall: StepToolCall;
  modelOutput: string;
  /** Files to show in the assistant's message (code_interpreter images). */
  imageFileIds?: string[];
}

/** A tool the engine executes itself, offered to the model as a function. */
export interface BuiltinTool {
  readonly type: 'file_search' | 'code_interpreter';
  /** The function the model sees, configured by the run's tool entry. */
  definition(run: Run): ToolDefinition;
  execute(argumentsJson: string, context: BuiltinToolContext): Promise<BuiltinToolOutcome>;
  /** The model-facing output of a recorded call, rebuilt for later turns of the run. */
  replayOutput(toolCall: StepToolCall, ordinal: number): string;
}

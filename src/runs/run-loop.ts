import { readAllPages } from '../api/pagination.js';
import type { Message, RunStep } from '../api/types.js';
import {
  type ChatModel,
  type ChatRequest,
  contextWindowOf,
  ProviderError,
  type ReasoningEffort,
  type RetryOptions,
  type TokenCountPool,
} from '../providers/index.js';
import type { RunState, StoredRun } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import { buildContext, type ContextInput } from './build-context.js';
import { toResponseFormat, toToolChoice } from './chat-tools.js';
import { citationSourcesOf as citationSources } from './citation-sources.js';
import { responseHistory } from './response-history.js';
import { stepItems } from './response-step-items.js';
import { executeBuiltinCalls } from './run-builtins.js';
import { stepEvent } from './run-events.js';
import { RunExecution, type TerminalOutcome } from './run-execution.js';
import { RunFailure, RunInterrupted, toLastError } from './run-failure.js';
import { endStep } from './run-objects.js';
import type { RunTools } from './run-tools.js';
import { type CallKind, closeMessage, type PendingCall, runTurn, showRemainingFigures } from './run-turn.js';
import type { RunWriter } from './run-writer.js';
import type { ImageLoader } from './to-chat-message.js';

export interface RunLoopSettings {
  /** Most model calls one run may make (stops endless tool loops). */
  maxModelCalls: number;
  retry: RetryOptions;
  /** Context window for models the table does not know. */
  defaultContextWindow: number;
  /** Tokens kept free for the reply when the run sets no `max_completion_tokens`. */
  replyReserveTokens: number;
  /** Seconds a run waits for tool outputs before it expires. */
  expiresAfterSeconds: number;
}

export interface RunLoopDependencies {
  /** Unexpected failures (bugs, not upstream errors) are logged with their stack. */
  log?: { error(details: object, message: string): void };
  store: Store;
  tools: RunTools;
  /** Counts prompt tokens off the event loop. */
  tokenCounts: TokenCountPool;
  /** The one path through which the run, its steps and messages change. */
  writer: RunWriter;
  chatModel(modelId: string): ChatModel;
  loadImage(project: string): ImageLoader;
  settings: RunLoopSettings;
}

/** Why the worker aborted a run's signal. */
export type AbortReason = 'cancel' | 'shutdown';

/**
 * Executes a claimed run until it needs tool outputs or ends:
 *
 *   start (queued → in_progress, written when the run was claimed: `startRun`)
 *   loop: budget checks → context → stream the model (text → message, calls → tool_calls step)
 *         text only → completed | length → incomplete | function calls → requires_action (return)
 *         (a response ends completed at function calls: its client answers them in the next response)
 *   on error: cancelled (cancel request) | failed with last_error (upstream or engine failure)
 */
export async function executeRun(deps: RunLoopDependencies, stored: StoredRun, signal: AbortSignal): Promise<void> {
  const execution = new RunExecution(deps.writer, stored);
  try {
    const history = await responseHistory(deps.store, stored);
    // The start (`startRun`, in the claim's transaction) counted the first model call already.
    let callCounted = true;
    for (;;) {
      const outcome = await runOnce(deps, execution, signal, callCounted, history);
      callCounted = false;
      if (outcome === 'paused') return;
      if (outcome !== 'again') {
        // An incomplete run leaves its message incomplete too (`max_tokens`); `finish` does that.
        if (outcome.status === 'completed') {
          await closeMessage(execution);
          await showRemainingFigures(execution);
        }
        await execution.finish(outcome);
        return;
      }
    }
  } catch (error) {
    const outcome = failureOutcome(error, signal);
    if (
      outcome.status === 'failed' &&
      !(error instanceof RunFailure) &&
      !(error instanceof ProviderError) &&
      !signal.aborted
    ) {
      deps.log?.error({ err: error, runId: stored.run.id }, 'run failed unexpectedly');
    }
    await execution.finish(outcome);
  }
}

function failureOutcome(error: unknown, signal: AbortSignal): TerminalOutcome {
  if (error instanceof RunInterrupted || (signal.aborted && signal.reason === 'cancel')) return { status: 'cancelled' };
  if (signal.aborted && signal.reason === 'shutdown') {
    return {
      status: 'failed',
      error: { code: 'server_error', message: 'The server shut down while the run was in progress.' },
    };
  }
  return { status: 'failed', error: toLastError(error) };
}

/**
 * One model call and what follows from it: 'again' for another call, 'paused', or how the run ends. `callCounted`:
 * the run's state counts this call already (the start did), so nothing is written before the model is called.
 */
async function runOnce(
  deps: RunLoopDependencies,
  execution: RunExecution,
  signal: AbortSignal,
  callCounted: boolean,
  history: ContextInput['history'],
): Promise<'again' | 'paused' | TerminalOutcome> {
  const { settings } = deps;
  const { run, state } = execution;
  const callsMade = state.modelCalls - (callCounted ? 1 : 0);
  if (callsMade >= settings.maxModelCalls) {
    throw new RunFailure(
      'server_error',
      `The run made ${callsMade} model calls without finishing; the limit is ${settings.maxModelCalls}.`,
    );
  }
  const remainingCompletion =
    run.max_completion_tokens === null ? undefined : run.max_completion_tokens - state.usedTokens.completion;
  if (remainingCompletion !== undefined && remainingCompletion <= 0)
    return { status: 'incomplete', reason: 'max_completion_tokens' };

  const model = deps.chatModel(run.model);
  const tools = deps.tools.definitions(run, state);
  const window = contextWindowOf(run.model, { defaultTokens: settings.defaultContextWindow });
  const [ownMessages, steps] = await Promise.all([runMessages(deps.store, execution), allSteps(deps.store, execution)]);
  const context = await buildContext({
    run,
    project: execution.project,
    messages: deps.store.messages,
    ownMessages,
    steps,
    tools,
    pool: deps.tokenCounts,
    windowTokens: window - (remainingCompletion ?? Math.min(settings.replyReserveTokens, Math.floor(window / 4))),
    runBudget: run.max_prompt_tokens === null ? Infinity : run.max_prompt_tokens - state.usedTokens.prompt,
    loadImage: deps.loadImage(execution.project),
    replayBuiltin: (call, ordinal) => deps.tools.byType(call.type)?.replayOutput(call, ordinal) ?? '',
    ...(history ? { history } : {}),
  });
  execution.annotationSources.citations = citationSources(steps);
  execution.keepTokenCounts(context.tokenCounts);
  if (!context.fits) {
    if (context.reason === 'max_prompt_tokens') return { status: 'incomplete', reason: 'max_prompt_tokens' };
    const fitting = context.newestTooLarge
      ? "The thread's newest message does not fit"
      : "The run's instructions and tools alone do not fit";
    throw new RunFailure('server_error', `${fitting} in the context window of ${run.model} (${window} tokens).`);
  }
  if (context.truncated && execution.state.response?.echo.truncation === 'disabled') {
    throw new RunFailure(
      'invalid_prompt',
      `The input exceeds the context window of ${run.model} (${window} tokens). Shorten it, or set truncation to 'auto' to drop the oldest items.`,
    );
  }
  const { counter } = context;

  const request: ChatRequest = {
    messages: context.messages,
    ...(tools.length > 0
      ? { tools, toolChoice: toToolChoice(run.tool_choice) ?? 'auto', parallelToolCalls: run.parallel_tool_calls }
      : {}),
    ...(run.temperature === null ? {} : { temperature: run.temperature }),
    ...(run.top_p === null ? {} : { topP: run.top_p }),
    ...(remainingCompletion === undefined ? {} : { maxOutputTokens: remainingCompletion }),
    ...optional('responseFormat', toResponseFormat(run.response_format)),
    ...optional('reasoningEffort', reasoningEffortOf(state.reasoningEffort)),
  };
  if (!callCounted) {
    await execution.write((_run, current) => ({ state: { ...current, modelCalls: current.modelCalls + 1 } }));
  }
  const classify = (name: string): CallKind => deps.tools.builtin(run, name)?.type ?? 'function';
  const turn = await runTurn(
    execution,
    model,
    request,
    counter,
    context.promptTokens,
    settings.retry,
    signal,
    classify,
  );

  const budgetHit =
    execution.run.max_completion_tokens !== null &&
    execution.state.usedTokens.completion >= execution.run.max_completion_tokens;
  // Checked before the tool calls: arguments cut off by the budget are not worth asking the client about.
  if (turn.finishReason === 'length' && budgetHit) return { status: 'incomplete', reason: 'max_completion_tokens' };
  if (turn.toolStep) {
    let step = turn.toolStep;
    if (turn.calls.some((call) => call.kind !== 'function')) {
      const resources = await deps.tools.resources({
        project: execution.project,
        run: execution.run,
        state: execution.state,
      });
      step = await executeBuiltinCalls(execution, deps.tools, step, turn.calls, steps, resources, signal);
      execution.annotationSources.citations = citationSources([...steps, step]);
    }
    execution.openToolStep = undefined;
    const functionCalls = turn.calls.some((call) => call.kind === 'function');
    if (functionCalls && !execution.state.response) {
      await execution.requireAction(step, settings.expiresAfterSeconds);
      return 'paused';
    }
    const completed = endStep(step, 'completed');
    await execution.write((_run, current) => ({
      steps: [completed],
      events: [stepEvent(completed, 'completed')],
      ...(current.response ? responseStepChanges(completed, turn.calls, current) : {}),
    }));
    return functionCalls ? { status: 'completed' } : 'again';
  }
  return { status: 'completed' };
}

/**
 * What a response's completed tool step also writes: its calls as items on the thread (so later responses read
 * them), and the built-in calls counted against `max_tool_calls`.
 */
function responseStepChanges(step: RunStep, calls: readonly PendingCall[], state: RunState) {
  const settings = state.response!;
  const builtinCalls = calls.filter((call) => call.kind !== 'function').length;
  return {
    items: stepItems(step, calls, settings),
    state: { ...state, response: { ...settings, builtinCalls: settings.builtinCalls + builtinCalls } },
  };
}

function reasoningEffortOf(value: string | null): ReasoningEffort | undefined {
  return value === 'minimal' || value === 'low' || value === 'medium' || value === 'high' ? value : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The messages this run wrote (its steps say where each belongs in the conversation). */
function runMessages(store: Store, execution: RunExecution): Promise<Message[]> {
  const { project, run } = execution;
  return readAllPages((page) => store.messages.list(project, run.thread_id, page, { runId: run.id }));
}

function allSteps(store: Store, execution: RunExecution): Promise<RunStep[]> {
  const { project, run } = execution;
  return readAllPages((page) => store.runs.listSteps(project, run.thread_id, run.id, page));
}

import type { Message, Run, RunStep } from '../api/types.js';
import {
  type ChatMessage,
  createTokenCounter,
  encodingForModel,
  type TokenCounter,
  type TokenCountPool,
  type ToolDefinition,
} from '../providers/index.js';
import type { TokenCounts } from '../store/run-repository.js';
import type { MessageRepository } from '../store/store.js';
import type { StepToolCall } from '../tools/builtin-tool.js';
import { chatTexts, countAhead } from './chat-texts.js';
import { pairToolTurns, rowToChatMessages } from './row-to-chat-messages.js';
import { type HistorySegment, selectHistory } from './select-history.js';
import { type ImageLoader, textOf } from './to-chat-message.js';

/** The model-facing output of a built-in tool call the run made earlier (`ordinal`: how many of its type came before). */
export type BuiltinReplay = (toolCall: StepToolCall, ordinal: number) => string;

export interface ContextInput {
  run: Run;
  project: string;
  messages: MessageRepository;
  /** This run's own messages (the ones its message_creation steps wrote). */
  ownMessages: readonly Message[];
  /** This run's steps in order, oldest first. */
  steps: readonly RunStep[];
  tools: readonly ToolDefinition[];
  pool: TokenCountPool;
  /** Tokens the model's window leaves for the prompt and the tools (the reply's room already taken off). */
  windowTokens: number;
  /** Prompt tokens the run's `max_prompt_tokens` still allows (Infinity without one). */
  runBudget: number;
  loadImage: ImageLoader;
  replayBuiltin: BuiltinReplay;
  /** Where the history lives (`selectHistory`); the run's own thread, messages only, when omitted. */
  history?: { segments: readonly HistorySegment[]; rows: 'messages' | 'all' };
}

export type BuiltContext = (
  | {
      fits: true;
      messages: ChatMessage[];
      promptTokens: number;
      counter: TokenCounter;
      /** Older history was left out to fit. */
      truncated: boolean;
    }
  /** Over the run's own `max_prompt_tokens`: the run ends incomplete. */
  | { fits: false; reason: 'max_prompt_tokens' }
  /** Over the model's window: the instructions and tools alone, or the newest message. */
  | { fits: false; reason: 'window'; fixedTokens: number; newestTooLarge: boolean }
) & {
  /** Thread messages counted for the first time, to keep with them (`RunExecution.keepTokenCounts`). */
  tokenCounts: TokenCounts;
};

/**
 * The conversation for the next model call: the run's instructions as the system message, the thread's newest
 * messages that fit (those this run wrote are replayed from its steps instead, so tool calls and their outputs sit
 * in the right place), truncated per `truncation_strategy` and the prompt budget. Every count is made in the
 * token-count pool; thread messages are read newest first only as far as the budget reaches.
 */
export async function buildContext(input: ContextInput): Promise<BuiltContext> {
  const { run } = input;
  const system: ChatMessage[] = run.instructions ? [{ role: 'system', content: run.instructions }] : [];
  const ownTurns = replaySteps(input.steps, input.ownMessages, input.replayBuiltin);
  const encoding = encodingForModel(run.model);
  const known = await countAhead(
    (texts) => input.pool.count(encoding, texts),
    chatTexts([...system, ...ownTurns], input.tools),
  );
  const counter = createTokenCounter(run.model, known);
  const fixedTokens = counter.countMessages([...system, ...ownTurns]);
  const toolsTokens = counter.countTools(input.tools);
  const windowBudget = input.windowTokens - toolsTokens;
  const budget = Math.min(windowBudget, input.runBudget);
  const overBudget = (newestTooLarge: boolean, tokenCounts: TokenCounts): BuiltContext =>
    input.runBudget <= windowBudget
      ? { fits: false, reason: 'max_prompt_tokens', tokenCounts }
      : { fits: false, reason: 'window', fixedTokens: fixedTokens + toolsTokens, newestTooLarge, tokenCounts };
  if (fixedTokens > budget) return overBudget(false, { encoding, counts: [] });

  const lastMessages = run.truncation_strategy?.type === 'last_messages' ? run.truncation_strategy.last_messages : null;
  const history = await selectHistory(input.messages, input.pool, {
    project: input.project,
    ...(input.history ?? { segments: [{ threadId: run.thread_id }], rows: 'messages' }),
    runId: run.id,
    model: run.model,
    budget: budget - fixedTokens,
    lastMessages: typeof lastMessages === 'number' ? lastMessages : null,
  });
  if (history.newestTooLarge) return overBudget(true, history.tokenCounts);
  const chatHistory = await Promise.all(history.rows.map((row) => rowToChatMessages(row, input.loadImage)));
  return {
    fits: true,
    messages: [...system, ...pairToolTurns([...chatHistory.flat(), ...ownTurns])],
    promptTokens: fixedTokens + history.tokens,
    counter,
    truncated: history.truncated,
    tokenCounts: history.tokenCounts,
  };
}

/** This run's earlier turns: its text messages, and each tool round as a call plus its outputs. */
function replaySteps(
  steps: readonly RunStep[],
  ownMessages: readonly Message[],
  replayBuiltin: BuiltinReplay,
): ChatMessage[] {
  const byId = new Map(ownMessages.map((message) => [message.id, message]));
  const ordinals = new Map<string, number>();
  const turns: ChatMessage[] = [];
  for (const step of steps) {
    const details = step.step_details;
    if (details.type === 'message_creation') {
      const message = byId.get(details.message_creation.message_id);
      const text = message ? textOf(message) : '';
      if (text !== '') turns.push({ role: 'assistant', content: text });
      continue;
    }
    const calls = details.tool_calls.map((call) => {
      if (call.type === 'function')
        return {
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
          output: call.function.output,
        };
      const ordinal = ordinals.get(call.type) ?? 0;
      ordinals.set(call.type, ordinal + 1);
      const args = call.type === 'code_interpreter' ? JSON.stringify({ code: call.code_interpreter.input }) : '{}';
      return { id: call.id, name: call.type, arguments: args, output: replayBuiltin(call, ordinal) };
    });
    // A round still waiting for function outputs is not part of the conversation yet.
    if (calls.length === 0 || calls.some((call) => call.output === null)) continue;
    turns.push({
      role: 'assistant',
      toolCalls: calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })),
    });
    for (const call of calls) turns.push({ role: 'tool', toolCallId: call.id, content: call.output ?? '' });
  }
  return turns;
}

import type { Message, Run, RunStep } from '../api/types.js';
import type { ChatMessage, TokenCounter, UserContentPart } from '../providers/index.js';
import type { StepToolCall } from '../tools/builtin-tool.js';

/** Reads an image file's bytes for a vision model; undefined when it cannot be read. */
export type ImageLoader = (fileId: string) => Promise<{ data: Uint8Array; mediaType: string } | undefined>;

/** The model-facing output of a built-in tool call the run made earlier (`ordinal`: how many of its type came before). */
export type BuiltinReplay = (toolCall: StepToolCall, ordinal: number) => string;

export interface ContextInput {
  run: Run;
  /** The thread's messages in order, oldest first (this run's own messages included). */
  threadMessages: readonly Message[];
  /** This run's steps in order, oldest first. */
  steps: readonly RunStep[];
  counter: TokenCounter;
  /** Most prompt tokens this call may use (context window minus room for the reply, and the run's budget). */
  promptBudget: number;
  loadImage: ImageLoader;
  replayBuiltin: BuiltinReplay;
}

export interface BuiltContext {
  messages: ChatMessage[];
  promptTokens: number;
  /** Thread messages left out by truncation. */
  droppedMessages: number;
}

/**
 * The conversation for the next model call: the run's instructions as the system message, the
 * thread's messages (those this run wrote are replayed from its steps instead, so tool calls and
 * their outputs sit in the right place), truncated from the oldest per `truncation_strategy` and
 * the prompt budget. Returns undefined when even the newest message does not fit.
 */
export async function buildContext(input: ContextInput): Promise<BuiltContext | undefined> {
  const { run, counter } = input;
  const system: ChatMessage[] = run.instructions ? [{ role: 'system', content: run.instructions }] : [];
  const earlier = input.threadMessages.filter((message) => message.run_id !== run.id);
  const history = await Promise.all(earlier.map((message) => toChatMessage(message, input.loadImage)));
  const ownTurns = replaySteps(input.steps, input.threadMessages, input.replayBuiltin);

  let first = 0;
  const lastMessages = run.truncation_strategy?.type === 'last_messages' ? run.truncation_strategy.last_messages : null;
  if (typeof lastMessages === 'number') first = Math.max(0, history.length - lastMessages);

  const fixedTokens = counter.countMessages([...system, ...ownTurns]);
  const sizes = history.map((message) => counter.countMessage(message));
  let total = fixedTokens + sizes.slice(first).reduce((sum, size) => sum + size, 0);
  while (total > input.promptBudget && first < history.length - 1) {
    total -= sizes[first]!;
    first += 1;
  }
  if (total > input.promptBudget) return undefined;
  return { messages: [...system, ...history.slice(first), ...ownTurns], promptTokens: total, droppedMessages: first };
}

async function toChatMessage(message: Message, loadImage: ImageLoader): Promise<ChatMessage> {
  if (message.role === 'assistant') return { role: 'assistant', content: textOf(message) };
  const parts: UserContentPart[] = [];
  for (const part of message.content) {
    if (part.type === 'text') parts.push({ type: 'text', text: part.text.value });
    else if (part.type === 'image_url') parts.push({ type: 'image', url: part.image_url.url });
    else if (part.type === 'image_file') {
      const image = await loadImage(part.image_file.file_id);
      if (image) parts.push({ type: 'image', ...image });
    }
  }
  const onlyText = parts.every((part) => part.type === 'text');
  return { role: 'user', content: onlyText ? parts.map((part) => (part as { text: string }).text).join('\n') : parts };
}

/** This run's earlier turns: its text messages, and each tool round as a call plus its outputs. */
function replaySteps(steps: readonly RunStep[], threadMessages: readonly Message[], replayBuiltin: BuiltinReplay): ChatMessage[] {
  const byId = new Map(threadMessages.map((message) => [message.id, message]));
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
      if (call.type === 'function') return { id: call.id, name: call.function.name, arguments: call.function.arguments, output: call.function.output };
      const ordinal = ordinals.get(call.type) ?? 0;
      ordinals.set(call.type, ordinal + 1);
      const args = call.type === 'code_interpreter' ? JSON.stringify({ code: call.code_interpreter.input }) : '{}';
      return { id: call.id, name: call.type, arguments: args, output: replayBuiltin(call, ordinal) };
    });
    // A round still waiting for function outputs is not part of the conversation yet.
    if (calls.length === 0 || calls.some((call) => call.output === null)) continue;
    turns.push({ role: 'assistant', toolCalls: calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })) });
    for (const call of calls) turns.push({ role: 'tool', toolCallId: call.id, content: call.output ?? '' });
  }
  return turns;
}

function textOf(message: Message): string {
  return message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');
}

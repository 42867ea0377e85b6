import type { Message, RunStep } from '../api/types.js';
import {
  type ChatModel,
  type ChatRequest,
  type ChatStreamPart,
  type RetryOptions,
  streamWithRetry,
  type TokenCounter,
  type TokenUsage,
} from '../providers/index.js';
import { JsonStringFieldStream } from '../tools/json-string-field-stream.js';
import { quietUpstreamWatchdog } from './quiet-upstream-watchdog.js';
import {
  messageEvent,
  messageImagesDeltaEvent,
  messageTextDeltaEvent,
  stepEvent,
  toolCallDeltaEvent,
} from './run-events.js';
import type { RunExecution } from './run-execution.js';
import {
  completeMessage,
  endStep,
  newAssistantMessage,
  newMessageCreationStep,
  newToolCallsStep,
  toUsage,
} from './run-objects.js';
import { StreamedAnnotations } from './streamed-annotations.js';
import { TextDeltaBatcher } from './text-delta-batcher.js';
import { callArgumentsDelta, callStartDelta, recordedCall } from './tool-call-deltas.js';

/** How the engine treats a tool call: the client answers functions; built-ins run here. */
export type CallKind = 'function' | 'file_search' | 'code_interpreter';

export interface TurnResult {
  finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';
  /** The turn's tool calls in order, with their complete arguments. */
  calls: PendingCall[];
  /** The tool-call step of this turn, with every call's final arguments; undefined when the model only wrote text. */
  toolStep: RunStep | undefined;
}

export interface PendingCall {
  index: number;
  id: string;
  name: string;
  kind: CallKind;
  arguments: string;
  /** Decodes code_interpreter's `code` argument as it streams, for `input` deltas. */
  code?: JsonStringFieldStream;
}

/**
 * One model call, streamed into the run: text becomes a message (with its message_creation step),
 * tool calls a tool_calls step, each as stream events in the order the SDK's AssistantStream expects.
 * Usage is added to the run's totals and to the turn's last step.
 */
export async function runTurn(
  execution: RunExecution,
  model: ChatModel,
  request: ChatRequest,
  counter: TokenCounter,
  promptTokens: number,
  retry: RetryOptions,
  signal: AbortSignal,
  classify: (name: string) => CallKind,
): Promise<TurnResult> {
  const turn: TurnProgress = {
    calls: new Map(),
    finishReason: 'stop',
    usage: undefined,
    classify,
    ignored: new Set(),
    text: new TextDeltaBatcher((chunks) => appendText(execution, chunks)),
  };
  const quiet = quietUpstreamWatchdog(signal, retry.firstPartTimeoutMs);
  try {
    for await (const part of streamWithRetry(model, request, quiet.signal, retry)) {
      quiet.heard();
      await applyPart(execution, turn, part);
    }
    await turn.text.flush();
  } catch (error) {
    // The text that came before the failure is kept, as when each chunk was written on arrival.
    await turn.text.flush().catch(() => undefined);
    throw error;
  } finally {
    quiet.stop();
  }
  const { calls, finishReason, usage } = turn;

  const completionText = execution.openMessage?.text ?? '';
  const measured = usage ?? {
    promptTokens,
    completionTokens:
      counter.countText(completionText) +
      [...calls.values()].reduce((sum, call) => sum + counter.countText(call.name + call.arguments), 0),
  };
  const stepUsage = toUsage({ prompt: measured.promptTokens, completion: measured.completionTokens });
  let toolStep: RunStep | undefined;
  if (execution.openToolStep) {
    toolStep = {
      ...execution.openToolStep,
      usage: stepUsage,
      step_details: {
        type: 'tool_calls',
        tool_calls: sortedCalls(calls).map(recordedCall),
      },
    };
    execution.openToolStep = toolStep;
  } else if (execution.openMessage) {
    execution.openMessage.step = { ...execution.openMessage.step, usage: stepUsage };
  }
  await execution.write((_run, state) => ({
    state: {
      ...state,
      usedTokens: {
        prompt: state.usedTokens.prompt + measured.promptTokens,
        completion: state.usedTokens.completion + measured.completionTokens,
      },
    },
    steps: toolStep ? [toolStep] : [],
  }));
  return { finishReason, calls: sortedCalls(calls), toolStep };
}

function sortedCalls(calls: Map<string, PendingCall>): PendingCall[] {
  return [...calls.values()].sort((a, b) => a.index - b.index);
}

/** What a turn has gathered from the stream so far. */
interface TurnProgress {
  calls: Map<string, PendingCall>;
  finishReason: TurnResult['finishReason'];
  usage: TokenUsage | undefined;
  classify: (name: string) => CallKind;
  /** Calls dropped because the run allows only one per turn. */
  ignored: Set<string>;
  /** The answer text, written as deltas of the open message. */
  text: TextDeltaBatcher;
}

/** Streams one part into the run: text into the open message, tool calls into the open tool_calls step. */
async function applyPart(execution: RunExecution, turn: TurnProgress, part: ChatStreamPart): Promise<void> {
  const { calls } = turn;
  if (part.type === 'text-delta') {
    if (part.text !== '') await turn.text.push(part.text);
    return;
  }
  // Everything else comes after the text before it.
  await turn.text.flush();
  switch (part.type) {
    case 'tool-call-start': {
      // `parallel_tool_calls: false` promises at most one call per turn, whatever the upstream sends.
      if (!execution.run.parallel_tool_calls && calls.size > 0) {
        turn.ignored.add(part.toolCallId);
        return;
      }
      await closeMessage(execution);
      const step = await ensureToolStep(execution);
      const kind = turn.classify(part.name);
      const call: PendingCall = {
        index: calls.size,
        id: part.toolCallId,
        name: part.name,
        kind,
        arguments: '',
        ...(kind === 'code_interpreter' ? { code: new JsonStringFieldStream('code') } : {}),
      };
      calls.set(part.toolCallId, call);
      await execution.append([toolCallDeltaEvent(step.id, callStartDelta(call))]);
      return;
    }
    case 'tool-call-delta': {
      const call = calls.get(part.toolCallId);
      if (!call || part.argumentsDelta === '') return;
      call.arguments += part.argumentsDelta;
      const stepId = execution.openToolStep!.id;
      const delta = callArgumentsDelta(call, part.argumentsDelta);
      if (delta) await execution.append([toolCallDeltaEvent(stepId, delta)]);
      return;
    }
    case 'tool-call-end': {
      if (turn.ignored.has(part.toolCallId)) return;
      const call = calls.get(part.toolCallId) ?? {
        index: calls.size,
        id: part.toolCallId,
        name: part.name,
        kind: turn.classify(part.name),
        arguments: '',
      };
      call.arguments = part.arguments;
      calls.set(part.toolCallId, call);
      return;
    }
    case 'finish':
      turn.finishReason = part.finishReason;
      turn.usage = part.usage;
      return;
  }
}

/** Chunks of the answer text as deltas of the open message (opened on the first text), in one write. */
async function appendText(execution: RunExecution, chunks: readonly string[]): Promise<void> {
  await ensureMessage(execution);
  const open = execution.openMessage!;
  const deltas = chunks.map((chunk) => {
    const previousLength = open.text.length;
    open.text += chunk;
    const annotations = open.annotations.next(open.text, previousLength);
    return messageTextDeltaEvent(open.message.id, open.figures.length, chunk, annotations, previousLength === 0);
  });
  await execution.append(deltas);
}

/** Ends the open message as completed (and its step), e.g. when tool calls follow the text or the turn ends. */
export async function closeMessage(execution: RunExecution): Promise<Message | undefined> {
  const open = execution.openMessage;
  if (!open) return undefined;
  const { all, unsent } = open.annotations.finish(open.text);
  const message = completeMessage(open.message, open.text, all, open.figures);
  const step = endStep(open.step, 'completed');
  // What the deltas have not carried yet: annotations only the final text completes, and the figures, which
  // OpenAI sends after the text (AssistantStream reports textCreated, then imageFileDone).
  const pending = [
    ...(unsent.length > 0 ? [messageTextDeltaEvent(message.id, open.figures.length, '', unsent)] : []),
    ...(open.figures.length > 0 ? [messageImagesDeltaEvent(message.id, open.figures)] : []),
  ];
  await execution.write(() => ({
    messages: [message],
    steps: [step],
    events: [...pending, messageEvent(message, 'completed'), stepEvent(step, 'completed')],
  }));
  execution.openMessage = undefined;
  return message;
}

/** Figures no answer text followed (the model ended right after drawing) get a message of their own. */
export async function showRemainingFigures(execution: RunExecution): Promise<void> {
  if ((execution.state.pendingFigures ?? []).length === 0) return;
  await ensureMessage(execution);
  await closeMessage(execution);
}

/** Opens the answer message; figures the run drew since its last message become its first parts. */
export async function ensureMessage(execution: RunExecution): Promise<void> {
  if (execution.openMessage) return;
  const message = newAssistantMessage(execution.run);
  const step = newMessageCreationStep(execution.run, message.id);
  const figures = execution.state.pendingFigures ?? [];
  await execution.write((_run, state) => ({
    ...(figures.length > 0 ? { state: { ...state, pendingFigures: [] } } : {}),
    messages: [message],
    steps: [step],
    events: [
      stepEvent(step, 'created'),
      stepEvent(step, 'in_progress'),
      messageEvent(message, 'created'),
      messageEvent(message, 'in_progress'),
    ],
  }));
  const annotations = new StreamedAnnotations(execution.annotationSources);
  execution.openMessage = { message, step, text: '', figures, annotations };
}

async function ensureToolStep(execution: RunExecution): Promise<RunStep> {
  if (execution.openToolStep) return execution.openToolStep;
  const step = newToolCallsStep(execution.run);
  await execution.write(() => ({
    steps: [step],
    events: [stepEvent(step, 'created'), stepEvent(step, 'in_progress')],
  }));
  execution.openToolStep = step;
  return step;
}

import type { Message, RunStep } from '../api/types.js';
import {
  streamWithRetry,
  type ChatModel,
  type ChatRequest,
  type ChatStreamPart,
  type RetryOptions,
  type TokenCounter,
  type TokenUsage,
} from '../providers/index.js';
import { messageEvent, messageTextDeltaEvent, stepEvent, toolCallDeltaEvent } from './run-events.js';
import type { RunExecution } from './run-execution.js';
import { completeMessage, endStep, newAssistantMessage, newMessageCreationStep, newToolCallsStep, toUsage } from './run-objects.js';
import { quietUpstreamWatchdog } from './quiet-upstream-watchdog.js';

export interface TurnResult {
  finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';
  /** The tool-call step of this turn, with every call's final arguments; undefined when the model only wrote text. */
  toolStep: RunStep | undefined;
  /** The message the model wrote this turn, still open (the caller decides how it ends). */
  wroteText: boolean;
}

interface PendingCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
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
): Promise<TurnResult> {
  const turn: TurnProgress = { calls: new Map(), finishReason: 'stop', usage: undefined, wroteText: false };
  const quiet = quietUpstreamWatchdog(signal, retry.firstPartTimeoutMs);
  try {
    for await (const part of streamWithRetry(model, request, quiet.signal, retry)) {
      quiet.heard();
      await applyPart(execution, turn, part);
    }
  } finally {
    quiet.stop();
  }
  const { calls, finishReason, usage, wroteText } = turn;

  const completionText = execution.openMessage?.text ?? '';
  const measured = usage ?? {
    promptTokens,
    completionTokens: counter.countText(completionText) + [...calls.values()].reduce((sum, call) => sum + counter.countText(call.name + call.arguments), 0),
  };
  const stepUsage = toUsage({ prompt: measured.promptTokens, completion: measured.completionTokens });
  let toolStep: RunStep | undefined;
  if (execution.openToolStep) {
    toolStep = {
      ...execution.openToolStep,
      usage: stepUsage,
      step_details: {
        type: 'tool_calls',
        tool_calls: [...calls.values()]
          .sort((a, b) => a.index - b.index)
          .map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments, output: null } })),
      },
    };
    execution.openToolStep = toolStep;
  } else if (execution.openMessage) {
    execution.openMessage.step = { ...execution.openMessage.step, usage: stepUsage };
  }
  await execution.write((_run, state) => ({
    state: {
      ...state,
      usedTokens: { prompt: state.usedTokens.prompt + measured.promptTokens, completion: state.usedTokens.completion + measured.completionTokens },
    },
    steps: toolStep ? [toolStep] : [],
  }));
  return { finishReason, toolStep, wroteText };
}

/** What a turn has gathered from the stream so far. */
interface TurnProgress {
  calls: Map<string, PendingCall>;
  finishReason: TurnResult['finishReason'];
  usage: TokenUsage | undefined;
  wroteText: boolean;
}

/** Streams one part into the run: text into the open message, tool calls into the open tool_calls step. */
async function applyPart(execution: RunExecution, turn: TurnProgress, part: ChatStreamPart): Promise<void> {
  const { calls } = turn;
  switch (part.type) {
    case 'text-delta': {
      if (part.text === '') return;
      await ensureMessage(execution);
      const open = execution.openMessage!;
      open.text += part.text;
      turn.wroteText = true;
      await execution.write(() => ({ events: [messageTextDeltaEvent(open.message.id, 0, part.text)] }));
      return;
    }
    case 'tool-call-start': {
      await closeMessage(execution);
      const step = await ensureToolStep(execution);
      const call: PendingCall = { index: calls.size, id: part.toolCallId, name: part.name, arguments: '' };
      calls.set(part.toolCallId, call);
      await execution.write(() => ({
        events: [toolCallDeltaEvent(step.id, { index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: '', output: null } })],
      }));
      return;
    }
    case 'tool-call-delta': {
      const call = calls.get(part.toolCallId);
      if (!call || part.argumentsDelta === '') return;
      call.arguments += part.argumentsDelta;
      const stepId = execution.openToolStep!.id;
      await execution.write(() => ({
        events: [toolCallDeltaEvent(stepId, { index: call.index, type: 'function', function: { arguments: part.argumentsDelta } })],
      }));
      return;
    }
    case 'tool-call-end': {
      const call = calls.get(part.toolCallId) ?? { index: calls.size, id: part.toolCallId, name: part.name, arguments: '' };
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

/** Ends the open message as completed (and its step), e.g. when tool calls follow the text or the turn ends. */
export async function closeMessage(execution: RunExecution): Promise<Message | undefined> {
  const open = execution.openMessage;
  if (!open) return undefined;
  const message = completeMessage(open.message, open.text);
  const step = endStep(open.step, 'completed');
  await execution.write(() => ({
    messages: [message],
    steps: [step],
    events: [messageEvent(message, 'completed'), stepEvent(step, 'completed')],
  }));
  execution.openMessage = undefined;
  return message;
}

async function ensureMessage(execution: RunExecution): Promise<void> {
  if (execution.openMessage) return;
  const message = newAssistantMessage(execution.run);
  const step = newMessageCreationStep(execution.run, message.id);
  await execution.write(() => ({
    messages: [message],
    steps: [step],
    events: [stepEvent(step, 'created'), stepEvent(step, 'in_progress'), messageEvent(message, 'created'), messageEvent(message, 'in_progress')],
  }));
  execution.openMessage = { message, step, text: '' };
}

async function ensureToolStep(execution: RunExecution): Promise<RunStep> {
  if (execution.openToolStep) return execution.openToolStep;
  const step = newToolCallsStep(execution.run);
  await execution.write(() => ({ steps: [step], events: [stepEvent(step, 'created'), stepEvent(step, 'in_progress')] }));
  execution.openToolStep = step;
  return step;
}


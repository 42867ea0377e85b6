import type { Message, Run, RunStep } from '../api/types.js';
import { newId, nowSeconds } from '../ids.js';
import type { Annotation } from './message-annotations.js';

/** An empty assistant message the run is about to stream into. */
export function newAssistantMessage(run: Run): Message {
  return {
    id: newId('msg_'),
    object: 'thread.message',
    created_at: nowSeconds(),
    thread_id: run.thread_id,
    status: 'in_progress',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: 'assistant',
    content: [],
    assistant_id: run.assistant_id,
    run_id: run.id,
    attachments: [],
    metadata: {},
  };
}

function newStep(run: Run, details: RunStep['step_details']): RunStep {
  return {
    id: newId('step_'),
    object: 'thread.run.step',
    created_at: nowSeconds(),
    assistant_id: run.assistant_id,
    thread_id: run.thread_id,
    run_id: run.id,
    type: details.type,
    status: 'in_progress',
    step_details: details,
    last_error: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    metadata: {},
    usage: null,
  };
}

export function newMessageCreationStep(run: Run, messageId: string): RunStep {
  return newStep(run, { type: 'message_creation', message_creation: { message_id: messageId } });
}

export function newToolCallsStep(run: Run): RunStep {
  return newStep(run, { type: 'tool_calls', tool_calls: [] });
}

/** The answer's figures (as OpenAI puts them: before the text), then its text. */
function answerContent(text: string, annotations: Annotation[], figures: readonly string[]): Message['content'] {
  const images = figures.map((fileId) => ({
    type: 'image_file' as const,
    image_file: { file_id: fileId, detail: 'auto' as const },
  }));
  return text === '' && images.length > 0 ? images : [...images, { type: 'text', text: { value: text, annotations } }];
}

export function completeMessage(
  message: Message,
  text: string,
  annotations: Annotation[] = [],
  figures: readonly string[] = [],
): Message {
  return {
    ...message,
    status: 'completed',
    completed_at: nowSeconds(),
    content: answerContent(text, annotations, figures),
  };
}

export function incompleteMessage(
  message: Message,
  text: string,
  reason: NonNullable<Message['incomplete_details']>['reason'],
  figures: readonly string[] = [],
): Message {
  return {
    ...message,
    status: 'incomplete',
    incomplete_at: nowSeconds(),
    incomplete_details: { reason },
    content: text === '' && figures.length === 0 ? message.content : answerContent(text, [], figures),
  };
}

export type StepEnding = 'completed' | 'failed' | 'cancelled' | 'expired';

export function endStep(step: RunStep, ending: StepEnding, lastError: RunStep['last_error'] = null): RunStep {
  const now = nowSeconds();
  return {
    ...step,
    status: ending,
    last_error: lastError,
    completed_at: ending === 'completed' ? now : step.completed_at,
    failed_at: ending === 'failed' ? now : step.failed_at,
    cancelled_at: ending === 'cancelled' ? now : step.cancelled_at,
    expired_at: ending === 'expired' ? now : step.expired_at,
  };
}

export interface TokenTotals {
  prompt: number;
  completion: number;
}

export function toUsage(totals: TokenTotals) {
  return {
    prompt_tokens: totals.prompt,
    completion_tokens: totals.completion,
    total_tokens: totals.prompt + totals.completion,
  };
}

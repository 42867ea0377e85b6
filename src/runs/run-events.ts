import type { Message, Run, RunStep, StreamEventName } from '../api/types.js';
import type { NewRunEvent } from '../store/run-repository.js';
import type { IndexedAnnotation } from './streamed-annotations.js';

type StepPhase = 'created' | 'in_progress' | 'completed' | 'failed' | 'cancelled' | 'expired';
type MessagePhase = 'created' | 'in_progress' | 'completed' | 'incomplete';

/** One event of a run's stream as a client receives it; `id` (the log's seq) lets it resume with `Last-Event-ID`. */
export interface RunStreamEvent {
  id: string;
  event: string;
  data: unknown;
}

/** The stream event announcing a run's current status (`thread.run.<status>`). */
export function runStatusEvent(run: Run): NewRunEvent {
  return event(`thread.run.${run.status}`, run);
}

export function runCreatedEvent(run: Run): NewRunEvent {
  return event('thread.run.created', run);
}

export function stepEvent(step: RunStep, phase: StepPhase): NewRunEvent {
  return event(`thread.run.step.${phase}`, step);
}

export function messageEvent(message: Message, phase: MessagePhase): NewRunEvent {
  return event(`thread.message.${phase}`, message);
}

/**
 * A piece of assistant text appended to content part `index` of a message, with the annotations this piece
 * completed (indices into the whole text). The part's first piece always carries `annotations`, `[]` when
 * empty, as OpenAI's did: the SDKs build the part's snapshot from it, and apps read `text.annotations`.
 */
export function messageTextDeltaEvent(
  messageId: string,
  index: number,
  text: string,
  annotations: readonly IndexedAnnotation[] = [],
  firstPiece = false,
): NewRunEvent {
  const value = annotations.length > 0 || firstPiece ? { value: text, annotations } : { value: text };
  return event('thread.message.delta', {
    id: messageId,
    object: 'thread.message.delta',
    delta: { content: [{ index, type: 'text', text: value }] },
  });
}

/** A message's figures: `image_file` content parts at indices 0.. (the answer's text comes after them). */
export function messageImagesDeltaEvent(messageId: string, fileIds: readonly string[]): NewRunEvent {
  return event('thread.message.delta', {
    id: messageId,
    object: 'thread.message.delta',
    delta: {
      content: fileIds.map((fileId, index) => ({ index, type: 'image_file', image_file: { file_id: fileId } })),
    },
  });
}

/** A change to one tool call of a `tool_calls` step (`index` is the call's position in the step). */
export function toolCallDeltaEvent(stepId: string, toolCall: Record<string, unknown> & { index: number }): NewRunEvent {
  return event('thread.run.step.delta', {
    id: stepId,
    object: 'thread.run.step.delta',
    delta: { step_details: { type: 'tool_calls', tool_calls: [toolCall] } },
  });
}

/** Events after which a stream pauses: the run needs the client, or it is over. */
export const STREAM_END_EVENTS: ReadonlySet<string> = new Set<StreamEventName>([
  'thread.run.requires_action',
  'thread.run.completed',
  'thread.run.incomplete',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.expired',
]);

function event(name: string, data: unknown): NewRunEvent {
  return { event: name, data };
}

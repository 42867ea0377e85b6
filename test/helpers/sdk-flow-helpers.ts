import assert from 'node:assert/strict';
import type { RecordedRequest } from '../upstream/index.js';
import { lastToolOutput } from './run-helpers.js';
import type { AnnotationDeltaView, AnnotationView, AssistantParams, MessageView, TextView } from './sdk-adapter.js';

/* What the flows of test/sdk-generations.test.ts expect, and how they read what any SDK generation returns. */

/** How a `runs.stream` stream starts (no `thread.created`: the thread exists). */
export const RUN_OPENING = ['thread.run.created', 'thread.run.queued', 'thread.run.in_progress'];
/**
 * A tool_calls step that ran on the server, as the SDK's callbacks. A code_interpreter call streams its input and
 * output as deltas; a file_search call has nothing to stream (its results are in the completed step).
 */
export const sdkToolStep = (type: 'code_interpreter' | 'file_search') => [
  'runStepCreated:tool_calls',
  `toolCallCreated:${type}`,
  ...(type === 'code_interpreter' ? ['toolCallDelta:code_interpreter'] : []),
  `toolCallDone:${type}`,
  'runStepDone:tool_calls:completed',
];

export const assistantParams = (params: Partial<AssistantParams> = {}): AssistantParams => ({
  model: 'gpt-4o-mini',
  instructions: 'You are terse.',
  ...params,
});

/** The text of a message's text parts. */
export function textOf(message: MessageView): string {
  return message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');
}

/** The message's text part; fails the test when it has none. */
export function textPart(message: MessageView | undefined): TextView {
  const part = message?.content.find((candidate) => candidate.type === 'text');
  assert.ok(part?.type === 'text', `no text part in ${JSON.stringify(message)}`);
  return part.text;
}

/** The fields an annotation has both in a delta and in the completed message. */
export function essentials(annotation: AnnotationView | AnnotationDeltaView) {
  const fileId =
    annotation.type === 'file_citation' ? annotation.file_citation?.file_id : annotation.file_path?.file_id;
  return {
    type: annotation.type,
    text: annotation.text,
    start: annotation.start_index,
    end: annotation.end_index,
    fileId,
  };
}

/** The model's answer after a file_search call: it quotes the first source marker, split across deltas. */
export function citeFirstMarker(request: RecordedRequest) {
  const marker = /【\d+:\d+†[^】]*】/.exec(lastToolOutput(request))?.[0] ?? '(no marker offered)';
  return { text: ['Paris is the capital ', marker.slice(0, 4), `${marker.slice(4)}.`, ' Anything else?'] };
}

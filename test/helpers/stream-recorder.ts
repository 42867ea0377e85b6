import type OpenAI from 'openai';
import { assertValidStreamEvent } from './run-helpers.js';

type StreamEvent = OpenAI.Beta.AssistantStreamEvent;
type ToolCall = OpenAI.Beta.Threads.Runs.ToolCall;
/** The SDK's stream helper, as `runs.stream`, `createAndRunStream` and `submitToolOutputsStream` return it. */
type AssistantStream = ReturnType<OpenAI['beta']['threads']['createAndRunStream']>;

/** What an `AssistantStream` told its listeners, in order. */
export interface StreamRecording {
  /** Every raw event, cloned as it arrived (the SDK goes on mutating the objects it emitted, its snapshots). */
  readonly events: StreamEvent[];
  /**
   * The SDK's callbacks in the order it made them, labelled with the object's type and status where it has one
   * (`runStepCreated:tool_calls`, `toolCallDone:function`, `messageDone:completed`, `run:requires_action`).
   * A repeated label is kept once: how many deltas a tool call or a text takes depends on chunking, not on
   * the order of things, which is what this list pins. `messageDelta` and `runStepDelta` are left out; they
   * come with every `textDelta` / `toolCallDelta` and would only interleave with them.
   */
  readonly callbacks: string[];
}

/** Listens to every callback of `stream`; read the recording once the stream has ended (after `finalRun()`). */
export function recordStream(stream: AssistantStream): StreamRecording {
  const events: StreamEvent[] = [];
  const callbacks: string[] = [];
  const note = (label: string): void => {
    if (callbacks.at(-1) !== label) callbacks.push(label);
  };
  stream
    .on('connect', () => note('connect'))
    .on('event', (event) => events.push(structuredClone(event)))
    .on('runStepCreated', (step) => note(`runStepCreated:${step.type}`))
    .on('runStepDone', (step) => note(`runStepDone:${step.type}:${step.status}`))
    .on('toolCallCreated', (call) => note(`toolCallCreated:${call.type}`))
    .on('toolCallDelta', (delta) => note(`toolCallDelta:${delta.type}`))
    .on('toolCallDone', (call) => note(`toolCallDone:${call.type}`))
    .on('messageCreated', () => note('messageCreated'))
    .on('messageDone', (message) => note(`messageDone:${message.status}`))
    .on('textCreated', () => note('textCreated'))
    .on('textDelta', () => note('textDelta'))
    .on('textDone', () => note('textDone'))
    .on('imageFileDone', () => note('imageFileDone'))
    .on('run', (run) => note(`run:${run.status}`))
    .on('end', () => note('end'));
  return { events, callbacks };
}

/**
 * The raw event names, a run of the same name kept once (see `callbacks`), after checking every event
 * against the contract.
 */
export function validatedEventNames(recording: StreamRecording): string[] {
  const names: string[] = [];
  for (const event of recording.events) {
    assertValidStreamEvent(event);
    if (names.at(-1) !== event.event) names.push(event.event);
  }
  return names;
}

/** The tool calls of the `thread.run.step.completed` events of tool_calls steps, in order. */
export function completedToolCalls(events: readonly StreamEvent[]): ToolCall[] {
  return events.flatMap((event) =>
    event.event === 'thread.run.step.completed' && event.data.step_details.type === 'tool_calls'
      ? event.data.step_details.tool_calls
      : [],
  );
}

/*
 * What a streamed run with tool calls looks like, in the pieces the tests assemble: raw event names (a run of
 * deltas counted once, as `validatedEventNames` gives them) and the SDK callbacks `recordStream` labels.
 */

/** How a createThreadAndRun stream starts. */
export const OPENING = ['thread.created', 'thread.run.created', 'thread.run.queued', 'thread.run.in_progress'];
/** A submitToolOutputs stream: the function step completes with its outputs, then the run resumes. */
export const RESUMING = ['thread.run.step.completed', 'thread.run.queued', 'thread.run.in_progress'];
/** A tool_calls step opening, with its calls streamed as step deltas. */
export const TOOL_STEP = ['thread.run.step.created', 'thread.run.step.in_progress', 'thread.run.step.delta'];
/** A message_creation step with one streamed text message. */
export const ANSWER = [
  'thread.run.step.created',
  'thread.run.step.in_progress',
  'thread.message.created',
  'thread.message.in_progress',
  'thread.message.delta',
  'thread.message.completed',
  'thread.run.step.completed',
];
/** `ANSWER` as the SDK's callbacks. */
export const SDK_ANSWER = [
  'runStepCreated:message_creation',
  'messageCreated',
  'textCreated',
  'textDelta',
  'textDone',
  'messageDone:completed',
  'runStepDone:message_creation:completed',
];
/** One function call of a tool step, as the SDK's callbacks. */
export const SDK_FUNCTION_CALL = ['toolCallCreated:function', 'toolCallDelta:function', 'toolCallDone:function'];

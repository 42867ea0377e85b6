import type { Assistant, CreateRunRequest, Run } from '../api/types.js';
import { newId } from '../ids.js';

/** The run settings a request may override; `createThreadAndRun` shares them with `createRun`. */
export type RunOverrides = Pick<
  CreateRunRequest,
  | 'model'
  | 'instructions'
  | 'additional_instructions'
  | 'tools'
  | 'metadata'
  | 'temperature'
  | 'top_p'
  | 'max_prompt_tokens'
  | 'max_completion_tokens'
  | 'truncation_strategy'
  | 'tool_choice'
  | 'parallel_tool_calls'
  | 'response_format'
>;

export interface NewRun {
  assistant: Assistant;
  threadId: string;
  overrides: RunOverrides;
  createdAt: number;
  /** How long a run may wait (queued or for tool outputs) before it expires, in seconds. */
  expiresAfterSeconds: number;
}

/**
 * A queued run: the assistant's settings with the request's overrides on top, as OpenAI
 * resolves them. `additional_instructions` is appended to the instructions in effect.
 */
export function buildRun({ assistant, threadId, overrides, createdAt, expiresAfterSeconds }: NewRun): Run {
  const baseInstructions = overrides.instructions ?? assistant.instructions ?? '';
  const instructions = overrides.additional_instructions
    ? [baseInstructions, overrides.additional_instructions].filter((part) => part !== '').join('\n\n')
    : baseInstructions;
  return {
    id: newId('run_'),
    object: 'thread.run',
    created_at: createdAt,
    thread_id: threadId,
    assistant_id: assistant.id,
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: createdAt + expiresAfterSeconds,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: overrides.model ?? assistant.model,
    instructions,
    tools: overrides.tools ?? assistant.tools,
    metadata: overrides.metadata ?? {},
    usage: null,
    temperature: overrides.temperature ?? assistant.temperature ?? 1,
    top_p: overrides.top_p ?? assistant.top_p ?? 1,
    max_prompt_tokens: overrides.max_prompt_tokens ?? null,
    max_completion_tokens: overrides.max_completion_tokens ?? null,
    truncation_strategy: overrides.truncation_strategy ?? { type: 'auto', last_messages: null },
    tool_choice: overrides.tool_choice ?? 'auto',
    parallel_tool_calls: overrides.parallel_tool_calls ?? true,
    response_format: overrides.response_format ?? assistant.response_format ?? 'auto',
  };
}

import type { ResponseEcho, ResponseSettings } from '../../src/api/response-settings.js';
import type { Run } from '../../src/api/types.js';
import { newId } from '../../src/ids.js';
import type { RunState, StoredRun } from '../../src/store/run-repository.js';

/** The echo of a typical request (`model`, `input`, a function and file_search), defaults as OpenAI fills them. */
export function responseEcho(overrides: Partial<ResponseEcho> = {}): ResponseEcho {
  return {
    model: 'gpt-4o',
    instructions: 'Answer briefly.',
    tools: [
      {
        type: 'function',
        name: 'get_weather',
        description: 'The weather in a city.',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        strict: true,
      },
      { type: 'file_search', vector_store_ids: ['vs_1'] },
    ],
    tool_choice: 'auto',
    text: { format: { type: 'text' }, verbosity: 'medium' },
    truncation: 'disabled',
    max_output_tokens: null,
    max_tool_calls: null,
    parallel_tool_calls: true,
    previous_response_id: null,
    temperature: 1,
    top_p: 1,
    top_logprobs: 0,
    reasoning: { effort: null, summary: null },
    store: true,
    background: false,
    metadata: {},
    user: null,
    safety_identifier: null,
    prompt_cache_key: null,
    service_tier: 'default',
    ...overrides,
  };
}

export function responseSettings(
  overrides: Partial<ResponseSettings> = {},
  echo: Partial<ResponseEcho> = {},
): ResponseSettings {
  const defaults = {
    echo: responseEcho(echo),
    conversationId: null,
    include: [],
    privateThread: true,
    containerId: null,
    builtinCalls: 0,
  };
  return { ...defaults, ...overrides };
}

/** A queued run of a response, as the lead's create stores it (Assistants-shaped, `assistant_id: ''`). */
export function responseRunObject(overrides: Partial<Run> = {}): Run {
  return {
    id: newId('resp_'),
    object: 'thread.run',
    created_at: 1_764_500_000,
    thread_id: newId('thread_'),
    assistant_id: '',
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: null,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: 'gpt-4o',
    instructions: 'Answer briefly.',
    tools: [],
    metadata: {},
    usage: null,
    temperature: 1,
    top_p: 1,
    max_prompt_tokens: null,
    max_completion_tokens: null,
    truncation_strategy: { type: 'auto', last_messages: null },
    tool_choice: 'auto',
    parallel_tool_calls: true,
    response_format: 'auto',
    ...overrides,
  };
}

export function storedResponseRun(run: Run, settings: ResponseSettings = responseSettings()): StoredRun {
  const state: RunState & { response: ResponseSettings } = {
    include: [],
    reasoningEffort: null,
    modelCalls: 0,
    usedTokens: { prompt: 0, completion: 0 },
    response: settings,
  };
  return { project: 'default', run, state };
}

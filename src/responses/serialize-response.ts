import type { ResponseEcho, ResponseSettings } from '../api/response-settings.js';
import type { Run } from '../api/types.js';
import type { RunState, StoredRun } from '../store/run-repository.js';
import type { ConversationItem } from './items.js';

export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** The error codes a Response may carry (`ResponseErrorCode`); run failures use the first three. */
export type ResponseErrorCode = 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt';

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/**
 * The error of a failed response: OpenAI's `ResponseError` (`code`, `message`) plus the `type` and `param` of its
 * API errors. The pinned contract declares only the first two, but clients read the error as they read an API error:
 * the Vercel AI SDK's Responses model requires `type` (and a string `code`) on a failed response's `error`, and
 * without it reports "Invalid JSON response" instead of the failure's message.
 */
export type ResponseError = { code: ResponseErrorCode; message: string; type: string; param: null };

/**
 * The Response object, with every field OpenAI sends: `usage` is null until the run has ended (OpenAI sends null
 * in the `response.created`/`in_progress` snapshots), `store`, `presence_penalty` and `frequency_penalty` (which the
 * pinned contract does not declare; the Open Responses spec requires them). `user` is left out when the request gave
 * none (a string only). `output_text` is left to the SDKs, which compute it, as OpenAI does.
 */
export type ResponseObject = {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: boolean;
  completed_at: number | null;
  conversation: { id: string } | null;
  error: ResponseError | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  metadata: Record<string, string>;
  model: string;
  output: ConversationItem[];
  presence_penalty: number;
  frequency_penalty: number;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  prompt_cache_key: string | null;
  reasoning: ResponseEcho['reasoning'];
  safety_identifier: string | null;
  service_tier: string;
  store: boolean;
  temperature: number;
  text: ResponseEcho['text'];
  tool_choice: unknown;
  tools: ResponseEcho['tools'];
  top_logprobs: number;
  top_p: number;
  truncation: ResponseEcho['truncation'];
  usage: ResponseUsage | null;
  user?: string;
};

/** The response settings of a run that is a response; throws for an Assistants run. */
export function responseSettingsOf(stored: { state: RunState }): ResponseSettings {
  const settings = stored.state.response;
  if (!settings) throw new Error('the run is not a response (its state has no response settings)');
  return settings;
}

/**
 * A response run as a Response object: the run's status, timestamps, error and usage; the request's echo from its
 * settings; `output` as given (the caller builds the items from the run's messages and steps, or the stream
 * translator from its events).
 */
export function toResponse(stored: StoredRun, output: readonly ConversationItem[]): ResponseObject {
  return presentResponse(stored.run, responseSettingsOf(stored), output);
}

/** `toResponse` from the parts: the run as it is now (e.g. a stream event's), and the response's settings. */
export function presentResponse(
  run: Run,
  settings: ResponseSettings,
  output: readonly ConversationItem[],
): ResponseObject {
  const { echo } = settings;
  // A foreground response is running from the client's point of view as soon as it exists, as OpenAI shows it.
  const mapped = responseStatus(run.status);
  const status = mapped === 'queued' && !echo.background ? 'in_progress' : mapped;
  const usage = responseUsage(run);
  return {
    id: run.id,
    object: 'response',
    created_at: run.created_at,
    status,
    background: echo.background,
    completed_at: status === 'completed' ? (run.completed_at ?? null) : null,
    conversation: settings.conversationId === null ? null : { id: settings.conversationId },
    error: responseError(run),
    incomplete_details: status === 'incomplete' ? { reason: incompleteReason(run) } : null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    max_tool_calls: echo.max_tool_calls,
    metadata: { ...(run.metadata ?? echo.metadata) } as Record<string, string>,
    model: echo.model,
    output: [...output],
    // Not settable in a Responses request; OpenAI echoes its defaults.
    presence_penalty: 0,
    frequency_penalty: 0,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    prompt_cache_key: echo.prompt_cache_key,
    reasoning: echo.reasoning,
    safety_identifier: echo.safety_identifier,
    service_tier: echo.service_tier,
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_logprobs: echo.top_logprobs,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage,
    ...(echo.user === null ? {} : { user: echo.user }),
  };
}

/**
 * Run status → Response status (a foreground response's `queued` then reads `in_progress`). A run being cancelled is still running; one waiting for tool outputs does not
 * happen to responses (function calls end them) and reads as running; an expired run (it waited queued too long)
 * has failed, since the spec has no `expired`.
 */
export function responseStatus(status: Run['status']): ResponseStatus {
  switch (status) {
    case 'queued':
    case 'in_progress':
    case 'completed':
    case 'incomplete':
    case 'failed':
    case 'cancelled':
      return status;
    case 'cancelling':
    case 'requires_action':
      return 'in_progress';
    case 'expired':
      return 'failed';
  }
}

const EXPIRED_MESSAGE = 'The response expired before it could finish.';

function responseError(run: Run): ResponseObject['error'] {
  if (run.status === 'expired') return withErrorType('server_error', run.last_error?.message ?? EXPIRED_MESSAGE);
  if (run.status !== 'failed' || !run.last_error) return null;
  return withErrorType(responseErrorCode(run.last_error.code), run.last_error.message);
}

/** The error's `type` as OpenAI's API errors word it for the same failure. */
const ERROR_TYPES: Record<ResponseErrorCode, string> = {
  server_error: 'server_error',
  rate_limit_exceeded: 'rate_limit_exceeded',
  invalid_prompt: 'invalid_request_error',
};

function withErrorType(code: ResponseErrorCode, message: string): ResponseError {
  return { code, message, type: ERROR_TYPES[code], param: null };
}

function responseErrorCode(code: string): ResponseErrorCode {
  return code === 'rate_limit_exceeded' || code === 'invalid_prompt' ? code : 'server_error';
}

/**
 * Both Assistants budgets read as `max_output_tokens`, the only token budget a Response can report
 * (`max_prompt_tokens` has no Responses counterpart, and a response run sets none).
 */
function incompleteReason(run: Run): 'max_output_tokens' | 'content_filter' {
  return (run.incomplete_details?.reason as string | undefined) === 'content_filter'
    ? 'content_filter'
    : 'max_output_tokens';
}

/** Usage once the run has totals (at its end), null before; cached and reasoning tokens are not measured (0). */
export function responseUsage(run: Run): ResponseUsage | null {
  const usage = run.usage;
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
  };
}

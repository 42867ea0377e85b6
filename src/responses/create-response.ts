import type { Run } from '../api/types.js';

type AssistantTool = Run['tools'][number];

import type { ResponseEcho, ResponseTool } from '../api/response-settings.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';

/** The fields of `POST /responses` the server reads (the contract has validated their shapes). */
export interface CreateResponseBody {
  model?: string;
  input?: string | unknown[];
  instructions?: string | null;
  tools?: ResponseTool[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  max_tool_calls?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_logprobs?: number | null;
  text?: { format?: { type: string; [key: string]: unknown } | null; verbosity?: string | null } | null;
  reasoning?: { effort?: string | null; summary?: string | null; generate_summary?: string | null } | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  background?: boolean | null;
  stream?: boolean | null;
  include?: string[] | null;
  truncation?: 'auto' | 'disabled' | null;
  previous_response_id?: string | null;
  conversation?: string | { id: string } | null;
  user?: string | null;
  safety_identifier?: string | null;
  prompt_cache_key?: string | null;
  service_tier?: string | null;
}

/** The tool types the server runs; every other type the Responses API defines is refused by name. */
export const SERVED_TOOL_TYPES = ['function', 'file_search', 'code_interpreter'] as const;

/** What OpenAI answers when a request names no model: the same 400 its API gives. */
const DEFAULT_SERVICE_TIER = 'default';

/**
 * The request's settings as the Response echoes them, defaults filled in as OpenAI fills them. Refuses tool types
 * the server does not serve, naming the tool.
 */
export function responseEcho(body: CreateResponseBody, model: string): ResponseEcho {
  const tools = body.tools ?? [];
  for (const [index, tool] of tools.entries()) {
    if (!(SERVED_TOOL_TYPES as readonly string[]).includes(tool.type)) {
      throw errors.unservedTool(`tools[${index}].type`, tool.type, SERVED_TOOL_TYPES);
    }
  }
  return {
    model,
    instructions: body.instructions ?? null,
    tools: tools.map(echoTool),
    tool_choice: body.tool_choice ?? 'auto',
    text: {
      format: echoFormat(body.text?.format ?? { type: 'text' }),
      ...(body.text?.verbosity ? { verbosity: body.text.verbosity } : { verbosity: 'medium' }),
    },
    truncation: body.truncation ?? 'disabled',
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    temperature: body.temperature ?? 1,
    top_p: body.top_p ?? 1,
    top_logprobs: body.top_logprobs ?? 0,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    store: body.store ?? true,
    background: body.background ?? false,
    metadata: body.metadata ?? {},
    user: body.user ?? null,
    safety_identifier: body.safety_identifier ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    service_tier: body.service_tier && body.service_tier !== 'auto' ? body.service_tier : DEFAULT_SERVICE_TIER,
  };
}

/**
 * `text.format` as the Response shows it: a json_schema format with every field, `description` null and `strict`
 * false (its default) when the request left them out, as OpenAI echoes it.
 */
function echoFormat(format: ResponseEcho['text']['format']): ResponseEcho['text']['format'] {
  if (format.type !== 'json_schema') return format;
  return {
    type: 'json_schema',
    description: format.description ?? null,
    name: format.name,
    schema: format.schema,
    strict: format.strict ?? false,
  };
}

/** A tool as the Response shows it: OpenAI fills in the defaults of function and file_search tools. */
function echoTool(tool: ResponseTool): ResponseTool {
  switch (tool.type) {
    case 'function':
      return {
        type: 'function',
        name: tool.name,
        description: tool.description ?? null,
        parameters: tool.parameters ?? null,
        strict: tool.strict ?? true,
      };
    case 'file_search':
      return {
        type: 'file_search',
        vector_store_ids: tool.vector_store_ids,
        filters: tool.filters ?? null,
        max_num_results: tool.max_num_results ?? 20,
        ranking_options: {
          ranker: (tool.ranking_options as { ranker?: string } | undefined)?.ranker ?? 'auto',
          score_threshold: (tool.ranking_options as { score_threshold?: number } | undefined)?.score_threshold ?? 0,
        },
      };
    default:
      return tool;
  }
}

/**
 * The run that carries out the response: the Assistants run row the engine executes, with the response's settings in
 * Assistants shapes (function and built-in tools, tool choice, `text.format` as `response_format`).
 */
export function responseRun(echo: ResponseEcho, threadId: string, requested: readonly ResponseTool[] = []): Run {
  const createdAt = nowSeconds();
  return {
    id: newId('resp_'),
    object: 'thread.run',
    created_at: createdAt,
    thread_id: threadId,
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
    model: echo.model,
    instructions: echo.instructions ?? '',
    tools: echo.tools.map((tool, index) => assistantTool(tool, requested[index])),
    metadata: echo.metadata,
    usage: null,
    temperature: echo.temperature,
    top_p: echo.top_p,
    max_prompt_tokens: null,
    max_completion_tokens: echo.max_output_tokens,
    truncation_strategy: { type: 'auto', last_messages: null },
    tool_choice: assistantToolChoice(echo.tool_choice),
    parallel_tool_calls: echo.parallel_tool_calls,
    response_format: assistantResponseFormat(echo.text.format),
  };
}

/**
 * A tool in the run's Assistants shape. A function is strict upstream only when the request said so: the echo shows
 * OpenAI's default (`true`), but a schema written without strict mode in mind would be refused by a strict upstream.
 */
function assistantTool(tool: ResponseTool, requested: ResponseTool | undefined): AssistantTool {
  switch (tool.type) {
    case 'function':
      return {
        type: 'function',
        function: {
          name: tool.name as string,
          ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
          ...(tool.parameters ? { parameters: tool.parameters as Record<string, unknown> } : {}),
          ...(typeof requested?.strict === 'boolean' ? { strict: requested.strict } : {}),
        },
      };
    case 'file_search':
      return {
        type: 'file_search',
        file_search: {
          max_num_results: tool.max_num_results as number,
          ranking_options: tool.ranking_options as { ranker: 'auto'; score_threshold: number },
        },
      };
    default:
      return { type: 'code_interpreter' };
  }
}

function assistantToolChoice(choice: unknown): Run['tool_choice'] {
  if (typeof choice === 'string') return choice as 'auto' | 'none' | 'required';
  const named = choice as { type?: string; name?: string; mode?: string } | null;
  if (named?.type === 'function' && named.name) return { type: 'function', function: { name: named.name } };
  if (named?.type === 'file_search') return { type: 'file_search' };
  if (named?.type === 'code_interpreter') return { type: 'code_interpreter' };
  if (named?.type === 'allowed_tools') return named.mode === 'required' ? 'required' : 'auto';
  return 'required';
}

function assistantResponseFormat(format: ResponseEcho['text']['format']): Run['response_format'] {
  switch (format.type) {
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: {
          name: format.name as string,
          ...(format.schema ? { schema: format.schema as Record<string, unknown> } : {}),
          ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
          ...(typeof format.description === 'string' ? { description: format.description } : {}),
        },
      };
    default:
      return 'auto';
  }
}

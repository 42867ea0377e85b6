/**
 * What a response keeps beside its run (in `RunState.response`): the request fields the Response object echoes,
 * as given or defaulted, and how the response is tied to its thread. A run with these settings is a response: the
 * run loop ends it at function calls instead of waiting for tool outputs, and the Responses serializers present it.
 */
export interface ResponseSettings {
  /** Echoed as given (defaults filled in as OpenAI fills them). */
  echo: ResponseEcho;
  /** The conversation (a thread) the response appends to; null for a response on a private thread. */
  conversationId: string | null;
  /** `include[]` of the request. */
  include: string[];
  /** The thread was made for this response alone: it goes when the response is deleted. */
  privateThread: boolean;
  /** The container its code_interpreter runs in (`cntr_…`); null without code_interpreter. */
  containerId: string | null;
  /** Built-in tool calls made so far (`max_tool_calls` caps them). */
  builtinCalls: number;
}

export interface ResponseEcho {
  model: string;
  instructions: string | null;
  /** The tools as the request gave them (Responses shapes). */
  tools: ResponseTool[];
  tool_choice: unknown;
  text: { format: { type: string; [key: string]: unknown }; verbosity?: string };
  truncation: 'auto' | 'disabled';
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  temperature: number;
  top_p: number;
  top_logprobs: number;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  background: boolean;
  metadata: Record<string, string>;
  user: string | null;
  safety_identifier: string | null;
  prompt_cache_key: string | null;
  service_tier: string;
}

/** A tool of a Responses request (`function`, `file_search`, `code_interpreter`), as given. */
export interface ResponseTool {
  type: string;
  [key: string]: unknown;
}

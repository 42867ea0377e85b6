/**
 * The one interface through which the run engine talks to a chat model. Each provider (OpenAI-compatible,
 * Anthropic, Google) implements it over the matching AI SDK package; nothing outside `src/providers/`
 * imports the AI SDK.
 */

/** A JSON Schema object, passed through to the upstream untouched. */
export type JSONSchema = Record<string, unknown>;

/** Text the user wrote. */
export interface TextContentPart {
  readonly type: 'text';
  readonly text: string;
}

/** An image, either at a URL the upstream can fetch or as bytes we send inline. */
export type ImageContentPart =
  | { readonly type: 'image'; readonly url: string }
  | { readonly type: 'image'; readonly data: Uint8Array; readonly mediaType: string };

export type UserContentPart = TextContentPart | ImageContentPart;

/** One tool call the assistant made; `arguments` is the JSON text exactly as the model produced it. */
export interface ToolCall {
  /** The upstream's id (`call_...`), echoed back in the `tool` message that answers it. */
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export interface SystemMessage {
  readonly role: 'system';
  readonly content: string;
}

export interface UserMessage {
  readonly role: 'user';
  readonly content: string | readonly UserContentPart[];
}

export interface AssistantMessage {
  readonly role: 'assistant';
  readonly content?: string;
  readonly toolCalls?: readonly ToolCall[];
}

/** The output of one tool call; must follow the assistant message holding the call. */
export interface ToolMessage {
  readonly role: 'tool';
  readonly toolCallId: string;
  readonly content: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A function the model may call. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  readonly parameters: JSONSchema;
  /** OpenAI structured outputs for function arguments. */
  readonly strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly name: string;
      readonly schema: JSONSchema;
      readonly strict?: boolean;
      readonly description?: string;
    };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/** One call to the model: the conversation so far and the generation settings. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  /** Ignored when `tools` is empty. */
  readonly toolChoice?: ToolChoice;
  /** `false` asks the model for at most one tool call per turn. Ignored by providers that cannot express it. */
  readonly parallelToolCalls?: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxOutputTokens?: number;
  readonly responseFormat?: ResponseFormat;
  /** Only reasoning models on OpenAI-compatible upstreams honour this. */
  readonly reasoningEffort?: ReasoningEffort;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/**
 * What a streaming model call yields. Text arrives as deltas; each tool call arrives as
 * `tool-call-start`, any number of `tool-call-delta`, then `tool-call-end` with the full arguments.
 * Parallel tool calls may interleave. The stream always ends with exactly one `finish` unless it throws.
 */
export type ChatStreamPart =
  | { readonly type: 'text-delta'; readonly text: string }
  | { readonly type: 'tool-call-start'; readonly toolCallId: string; readonly name: string }
  | { readonly type: 'tool-call-delta'; readonly toolCallId: string; readonly argumentsDelta: string }
  | { readonly type: 'tool-call-end'; readonly toolCallId: string; readonly name: string; readonly arguments: string }
  | {
      readonly type: 'finish';
      readonly finishReason: FinishReason;
      /** `undefined` when the upstream did not report usage. */
      readonly usage: TokenUsage | undefined;
    };

/** A chat model bound to one upstream and one model id. */
export interface ChatModel {
  /** Which configured provider serves this model (e.g. `openai`, `local`, `claude`). */
  readonly provider: string;
  /** The model id sent upstream (after any renaming by the registry). */
  readonly modelId: string;
  /**
   * Streams one completion. Throws `ProviderError` for upstream failures; aborting `signal` aborts the
   * upstream request and makes the iteration throw the signal's reason.
   */
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamPart>;
}

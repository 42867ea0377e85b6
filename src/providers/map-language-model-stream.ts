import type { LanguageModelV3FinishReason, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import type { ChatStreamPart, FinishReason, TokenUsage } from './chat-model.js';
import { toProviderError } from './provider-error.js';
import { generateToolCallId } from './tool-call-id.js';

/**
 * Maps the AI SDK's stream parts onto ours, one part at a time.
 *
 * Tool call ids: API clients see them (`required_action.submit_tool_outputs.tool_calls[].id`), so they must
 * be the upstream's own. When an upstream sends none, the SDK invents a short random id instead; we spot that
 * by checking whether the id ever appeared in the raw upstream chunks, and replace it with a `call_` id.
 */
export class LanguageModelStreamMapper {
  readonly #upstreamIds = new Set<string>();
  readonly #ourIds = new Map<string, string>();
  readonly #startedCalls = new Set<string>();
  #finished = false;

  /** Whether a `finish` part has been produced. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Returns the parts to yield for one SDK part; throws `ProviderError` for an `error` part. */
  map(part: LanguageModelV3StreamPart): ChatStreamPart[] {
    switch (part.type) {
      case 'raw':
        collectIds(part.rawValue, this.#upstreamIds);
        return [];
      case 'text-delta':
        return part.delta === '' ? [] : [{ type: 'text-delta', text: part.delta }];
      case 'tool-input-start': {
        if (part.providerExecuted === true) return [];
        const toolCallId = this.#resolveId(part.id);
        this.#startedCalls.add(toolCallId);
        return [{ type: 'tool-call-start', toolCallId, name: part.toolName }];
      }
      case 'tool-input-delta': {
        const toolCallId = this.#resolveId(part.id);
        if (!this.#startedCalls.has(toolCallId) || part.delta === '') return [];
        return [{ type: 'tool-call-delta', toolCallId, argumentsDelta: part.delta }];
      }
      case 'tool-call':
        return part.providerExecuted === true ? [] : this.#endToolCall(part.toolCallId, part.toolName, part.input);
      case 'finish':
        this.#finished = true;
        return [{ type: 'finish', finishReason: toFinishReason(part.finishReason), usage: toUsage(part.usage) }];
      case 'error':
        throw toProviderError(part.error);
      default:
        // stream-start, response-metadata, text-start/-end, reasoning-*, tool-input-end, sources, files: not ours.
        return [];
    }
  }

  /** Some providers emit a complete `tool-call` without the `tool-input-*` parts before it; fill them in. */
  #endToolCall(sdkId: string, name: string, input: string): ChatStreamPart[] {
    const toolCallId = this.#resolveId(sdkId);
    const parts: ChatStreamPart[] = [];
    if (!this.#startedCalls.has(toolCallId)) {
      parts.push({ type: 'tool-call-start', toolCallId, name });
      if (input !== '') parts.push({ type: 'tool-call-delta', toolCallId, argumentsDelta: input });
    }
    this.#startedCalls.delete(toolCallId);
    parts.push({ type: 'tool-call-end', toolCallId, name, arguments: input });
    return parts;
  }

  #resolveId(sdkId: string): string {
    let ourId = this.#ourIds.get(sdkId);
    if (ourId === undefined) {
      ourId = this.#upstreamIds.has(sdkId) ? sdkId : generateToolCallId();
      this.#ourIds.set(sdkId, ourId);
    }
    return ourId;
  }
}

/** Records every string under an `id` key of a raw upstream chunk (chunks are small; the walk is cheap). */
function collectIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectIds(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'id' && typeof item === 'string') into.add(item);
      else collectIds(item, into);
    }
  }
}

function toFinishReason(reason: LanguageModelV3FinishReason): FinishReason {
  switch (reason.unified) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

function toUsage(usage: LanguageModelV3Usage): TokenUsage | undefined {
  const promptTokens = usage.inputTokens.total;
  const completionTokens = usage.outputTokens.total;
  if (promptTokens === undefined && completionTokens === undefined) return undefined;
  return { promptTokens: promptTokens ?? 0, completionTokens: completionTokens ?? 0 };
}

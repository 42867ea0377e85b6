import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { ChatStreamPart } from './chat-model.js';
import { LanguageModelStreamMapper } from './map-language-model-stream.js';
import { ProviderError, toProviderError } from './provider-error.js';

/**
 * Runs one `doStream` call and yields our stream parts. Stopping early (a `break`, an error, an abort)
 * cancels the SDK stream, which aborts the HTTP response body, so the upstream sees the disconnect.
 */
export async function* streamLanguageModel(
  languageModel: LanguageModelV3,
  callOptions: LanguageModelV3CallOptions,
  signal: AbortSignal,
): AsyncGenerator<ChatStreamPart> {
  signal.throwIfAborted();
  let stream: ReadableStream<LanguageModelV3StreamPart>;
  try {
    ({ stream } = await languageModel.doStream({ ...callOptions, abortSignal: signal }));
  } catch (error) {
    throw asStreamError(error, signal);
  }
  const reader = stream.getReader();
  const mapper = new LanguageModelStreamMapper();
  let streamEnded = false;
  try {
    // After `finish`, stop reading: the rest of the stream carries nothing we use.
    while (!mapper.finished) {
      const next = await reader.read().catch((error: unknown) => {
        throw asStreamError(error, signal);
      });
      if (next.done) {
        streamEnded = true;
        break;
      }
      for (const part of mapper.map(next.value)) yield part;
    }
    if (!mapper.finished) {
      throw new ProviderError('invalid_response', 'Upstream model provider ended the stream without finishing it');
    }
  } finally {
    if (!streamEnded) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** An aborted call throws the abort reason (the caller's own signal decides what that means), never a ProviderError. */
function asStreamError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  return toProviderError(error);
}

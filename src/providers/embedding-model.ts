import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ProviderError, toProviderError } from './provider-error.js';

/** Turns texts into vectors of a fixed size (file search). */
export interface EmbeddingModel {
  readonly modelId: string;
  /** Length of every returned vector; sent upstream as `dimensions`. */
  readonly dimensions: number;
  /** One vector per text, in order. Throws `ProviderError`. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export interface OpenAICompatibleEmbeddingModelSettings {
  readonly baseURL: string;
  readonly apiKey?: string;
  readonly modelId: string;
  readonly dimensions: number;
  /** Texts per request. OpenAI allows 2,048 inputs and 300,000 tokens per request; 256 stays well inside both. */
  readonly batchSize?: number;
  readonly fetch?: typeof globalThis.fetch;
}

const OPTIONS_KEY = 'openaiCompatible';

/** `POST {baseURL}/embeddings` with `dimensions`, one request per batch, batches sent one after another. */
export function createOpenAICompatibleEmbeddingModel(settings: OpenAICompatibleEmbeddingModelSettings): EmbeddingModel {
  const provider = createOpenAICompatible({
    name: OPTIONS_KEY,
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    fetch: settings.fetch,
  });
  const sdkModel = provider.embeddingModel(settings.modelId);
  const batchSize = settings.batchSize ?? 256;
  return Object.freeze({
    modelId: settings.modelId,
    dimensions: settings.dimensions,
    async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        try {
          const result = await sdkModel.doEmbed({
            values: batch,
            abortSignal: signal,
            providerOptions: { [OPTIONS_KEY]: { dimensions: settings.dimensions } },
          });
          vectors.push(...result.embeddings);
        } catch (error) {
          if (signal?.aborted === true) throw signal.reason;
          throw toProviderError(error);
        }
      }
      checkDimensions(vectors, texts.length, settings.dimensions);
      return vectors;
    },
  });
}

/** Upstreams that ignore `dimensions` would otherwise poison a vector index sized for another length. */
function checkDimensions(vectors: number[][], expectedCount: number, dimensions: number): void {
  if (vectors.length !== expectedCount) {
    throw invalidEmbeddings(`expected ${expectedCount} embeddings, got ${vectors.length}`);
  }
  const wrong = vectors.find((vector) => vector.length !== dimensions);
  if (wrong !== undefined) {
    throw invalidEmbeddings(`expected vectors of ${dimensions} dimensions, got ${wrong.length}`);
  }
}

function invalidEmbeddings(detail: string): ProviderError {
  return new ProviderError('invalid_response', `Upstream embedding model sent an invalid response: ${detail}`);
}

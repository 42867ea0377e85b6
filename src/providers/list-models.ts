/** A model the server can route a run to, as `GET /v1/models` lists it. */
export interface ModelEntry {
  readonly id: string;
  /** Unix seconds: the upstream's figure, or when the routing table was loaded for a configured model. */
  readonly created: number;
  /** The upstream's owner, or the name of the provider `MODELS_CONFIG` routes the model to. */
  readonly ownedBy: string;
}

export interface UpstreamModelsRequest {
  readonly baseURL: string;
  readonly apiKey: string | undefined;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
}

/**
 * `GET {baseURL}/models` of an OpenAI-compatible upstream (OpenAI, vLLM, Ollama and LM Studio all answer it).
 * Any failure — unreachable, an error status, a body of another shape — is an empty list: the upstream's
 * models are a convenience on top of the configured ones, never a reason for the listing to fail.
 */
export async function fetchUpstreamModels(request: UpstreamModelsRequest): Promise<ModelEntry[]> {
  try {
    const response = await request.fetch(`${request.baseURL.replace(/\/+$/, '')}/models`, {
      headers: request.apiKey === undefined ? {} : { authorization: `Bearer ${request.apiKey}` },
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    if (!response.ok) return [];
    return parseModelList(await response.json());
  } catch {
    return [];
  }
}

function parseModelList(body: unknown): ModelEntry[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((item: unknown) => {
    const model = item as { id?: unknown; created?: unknown; owned_by?: unknown } | null;
    if (typeof model?.id !== 'string' || model.id === '') return [];
    const created = typeof model.created === 'number' && Number.isInteger(model.created) ? model.created : 0;
    const ownedBy = typeof model.owned_by === 'string' ? model.owned_by : 'upstream';
    return [{ id: model.id, created, ownedBy }];
  });
}

import type { ListModelsResponse, Model } from '../api/types.js';
import { errors } from '../errors.js';
import type { ModelEntry } from '../providers/index.js';

/** Where the models come from: the provider registry (`MODELS_CONFIG` and the default upstream). */
export interface ModelCatalog {
  listModels(): Promise<ModelEntry[]>;
  findModel(modelId: string): Promise<ModelEntry | undefined>;
}

/** `GET /models` and `GET /models/{model}`: the same for every project, since routing is per server. */
export class ModelService {
  readonly #catalog: ModelCatalog;

  constructor(catalog: ModelCatalog) {
    this.#catalog = catalog;
  }

  async list(): Promise<ListModelsResponse> {
    return { object: 'list', data: (await this.#catalog.listModels()).map(toModel) };
  }

  async get(modelId: string): Promise<Model> {
    const model = await this.#catalog.findModel(modelId);
    if (model === undefined) throw errors.modelNotFound(modelId);
    return toModel(model);
  }
}

function toModel(entry: ModelEntry): Model {
  return { id: entry.id, object: 'model', created: entry.created, owned_by: entry.ownedBy };
}

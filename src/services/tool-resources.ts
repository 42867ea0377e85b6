import type { CreateVectorStoreRequest, ToolResources } from '../api/types.js';
import { errors } from '../errors.js';
import type { Store } from '../store/store.js';
import { requireFiles } from './references.js';
import type { VectorStoreService } from './vector-stores.js';

/** `tool_resources` as a request may send it (create requests also allow inline vector stores). */
export interface ToolResourcesInput {
  code_interpreter?: { file_ids?: string[] };
  file_search?: { vector_store_ids?: string[]; vector_stores?: CreateVectorStoreRequest[] };
}

const FILE_SEARCH_PARAM = 'tool_resources.file_search';

/** Validates requested tool resources and turns them into their stored form. */
export class ToolResourceResolver {
  constructor(
    private readonly store: Store,
    private readonly vectorStores: VectorStoreService,
  ) {}

  /**
   * `base` holds the current resources when modifying: a tool named in the request replaces that
   * tool's resources whole. Files and vector stores must belong to the project; an inline
   * `vector_stores` entry creates the store (after everything else validated).
   */
  async resolve(
    project: string,
    input: ToolResourcesInput | null | undefined,
    base: ToolResources = {},
  ): Promise<ToolResources> {
    if (input === undefined) return base;
    if (input === null) return {};
    const resolved: ToolResources = { ...base };
    if (input.code_interpreter !== undefined) {
      const fileIds = unique(input.code_interpreter.file_ids ?? []);
      await requireFiles(this.store, project, fileIds, 'tool_resources.code_interpreter.file_ids');
      resolved.code_interpreter = { file_ids: fileIds };
    }
    if (input.file_search !== undefined) {
      const { vector_store_ids: ids, vector_stores: inline } = input.file_search;
      if (ids !== undefined && inline !== undefined) {
        throw errors.vectorStoreSourcesConflict();
      }
      if (inline !== undefined) {
        const created = await Promise.all(inline.map((request) => this.vectorStores.create(project, request)));
        resolved.file_search = { vector_store_ids: created.map((store) => store.id) };
      } else {
        const vectorStoreIds = unique(ids ?? []);
        await this.vectorStores.requireAll(project, vectorStoreIds, `${FILE_SEARCH_PARAM}.vector_store_ids`);
        resolved.file_search = { vector_store_ids: vectorStoreIds };
      }
    }
    return resolved;
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

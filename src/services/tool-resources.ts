import type { ToolResources } from '../api/types.js';
import { errors } from '../errors.js';
import type { Store } from '../store/store.js';
import { requireFiles } from './references.js';

/** `tool_resources` as a request may send it (create requests also allow inline vector stores). */
export interface ToolResourcesInput {
  code_interpreter?: { file_ids?: string[] };
  file_search?: { vector_store_ids?: string[]; vector_stores?: unknown[] };
}

/**
 * Validates requested tool resources and returns them in stored form. `base` holds the current
 * resources when modifying: a tool named in the request replaces that tool's resources whole.
 */
export async function resolveToolResources(
  store: Store,
  project: string,
  input: ToolResourcesInput | null | undefined,
  base: ToolResources = {},
): Promise<ToolResources> {
  if (input === undefined) return base;
  if (input === null) return {};
  const resolved: ToolResources = { ...base };
  if (input.code_interpreter !== undefined) {
    const fileIds = unique(input.code_interpreter.file_ids ?? []);
    await requireFiles(store, project, fileIds, 'tool_resources.code_interpreter.file_ids');
    resolved.code_interpreter = { file_ids: fileIds };
  }
  if (input.file_search !== undefined) {
    if (input.file_search.vector_stores !== undefined) {
      throw errors.invalidRequest(
        'Creating vector stores inline (tool_resources.file_search.vector_stores) is not available on this server yet; create the vector store first and pass vector_store_ids.',
        'tool_resources.file_search.vector_stores',
        'unsupported_parameter',
      );
    }
    resolved.file_search = { vector_store_ids: unique(input.file_search.vector_store_ids ?? []) };
  }
  return resolved;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

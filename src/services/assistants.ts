import type { PageRequest } from '../api/pagination.js';
import type { Assistant, CreateAssistantRequest, ModifyAssistantRequest } from '../api/types.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store } from '../store/store.js';
import { resolveMetadata } from './metadata.js';
import type { ToolResourceResolver, ToolResourcesInput } from './tool-resources.js';

export class AssistantService {
  constructor(
    private readonly store: Store,
    private readonly toolResources: ToolResourceResolver,
  ) {}

  async create(project: string, request: CreateAssistantRequest): Promise<Assistant> {
    const assistant: Assistant = {
      id: newId('asst_'),
      object: 'assistant',
      created_at: nowSeconds(),
      name: request.name ?? null,
      description: request.description ?? null,
      model: request.model,
      instructions: request.instructions ?? null,
      tools: request.tools ?? [],
      tool_resources: await this.toolResources.resolve(project, request.tool_resources as ToolResourcesInput | null),
      metadata: resolveMetadata(request.metadata),
      temperature: request.temperature ?? 1,
      top_p: request.top_p ?? 1,
      response_format: request.response_format ?? 'auto',
      ...reasoningEffort(request.reasoning_effort),
    };
    await this.store.assistants.insert(project, assistant);
    return assistant;
  }

  async get(project: string, id: string): Promise<Assistant> {
    const assistant = await this.store.assistants.get(project, id);
    if (!assistant) throw errors.notFound('assistant', id);
    return assistant;
  }

  async modify(project: string, id: string, request: ModifyAssistantRequest): Promise<Assistant> {
    const current = await this.get(project, id);
    const updated: Assistant = {
      ...current,
      ...pickDefined({
        name: request.name,
        description: request.description,
        model: request.model,
        instructions: request.instructions,
        tools: request.tools,
        response_format: request.response_format === null ? 'auto' : request.response_format,
        temperature: request.temperature === null ? 1 : request.temperature,
        top_p: request.top_p === null ? 1 : request.top_p,
      }),
      tool_resources: await this.toolResources.resolve(
        project,
        request.tool_resources as ToolResourcesInput | null | undefined,
        current.tool_resources ?? {},
      ),
      metadata: resolveMetadata(request.metadata, current.metadata ?? {}),
      ...reasoningEffort(request.reasoning_effort, current),
    };
    await this.store.assistants.update(project, updated);
    return updated;
  }

  async delete(project: string, id: string): Promise<{ id: string; object: 'assistant.deleted'; deleted: true }> {
    if (!(await this.store.assistants.delete(project, id))) throw errors.notFound('assistant', id);
    return { id, object: 'assistant.deleted', deleted: true };
  }

  list(project: string, page: PageRequest) {
    return this.store.assistants.list(project, page);
  }
}

/**
 * `reasoning_effort` is accepted on create/modify but absent from the spec's AssistantObject;
 * it is kept (the run engine passes it to reasoning models) and returned only once set.
 */
function reasoningEffort(input: string | null | undefined, current?: Assistant): { reasoning_effort?: string | null } {
  const previous = (current as { reasoning_effort?: string | null } | undefined)?.reasoning_effort;
  const value = input === undefined ? previous : input;
  return value === undefined ? {} : { reasoning_effort: value };
}

function pickDefined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

import type { ResponseCreateParams, ResponseInputItem, ResponseTool } from '../api/types.js';
import { checkFunctionDefinition } from '../components/json-schema-check.js';

/** What the Responses form holds, as typed: turned into a request by `toCreateParams`. */
export interface ResponseDraft {
  model: string;
  instructions: string;
  input: string;
  /** Function definitions as JSON text (`{name, description, parameters, strict}`), as the Assistants editor has them. */
  functions: string[];
  fileSearch: boolean;
  vectorStoreId: string;
  codeInterpreter: boolean;
  store: boolean;
  background: boolean;
  previousResponseId: string;
  conversationId: string;
}

export const EMPTY_DRAFT: ResponseDraft = {
  model: 'gpt-4o',
  instructions: '',
  input: '',
  functions: [],
  fileSearch: false,
  vectorStoreId: '',
  codeInterpreter: false,
  store: true,
  background: false,
  previousResponseId: '',
  conversationId: '',
};

/** Why the draft cannot be sent yet (each a sentence), or nothing. */
export function draftProblems(draft: ResponseDraft): string[] {
  const problems: string[] = [];
  if (draft.model.trim() === '') problems.push('Choose a model.');
  draft.functions.forEach((text, index) => {
    if (checkFunctionDefinition(text).problems.length > 0) problems.push(`Function ${index + 1} has problems.`);
  });
  if (draft.fileSearch && draft.vectorStoreId === '') problems.push('file_search needs a vector store.');
  if (draft.background && !draft.store) problems.push('A background response must be stored.');
  return problems;
}

export function draftTools(draft: ResponseDraft): ResponseTool[] {
  const tools: ResponseTool[] = draft.functions.map((text) => {
    const definition = (checkFunctionDefinition(text).value ?? {}) as {
      name?: string;
      description?: string;
      parameters?: Record<string, unknown>;
      strict?: boolean;
    };
    return {
      type: 'function',
      name: definition.name ?? '',
      ...(definition.description === undefined ? {} : { description: definition.description }),
      parameters: definition.parameters ?? { type: 'object', properties: {} },
      strict: definition.strict ?? false,
    };
  });
  if (draft.fileSearch) tools.push({ type: 'file_search', vector_store_ids: [draft.vectorStoreId] });
  if (draft.codeInterpreter) tools.push({ type: 'code_interpreter', container: { type: 'auto' } });
  return tools;
}

/**
 * The streaming request for the draft, with `input` as given (the typed text, or function_call_output items). The
 * built-in tools' results and outputs are asked for, so the items show them.
 */
export function toCreateParams(draft: ResponseDraft, input: string | ResponseInputItem[]): ResponseCreateParams {
  const tools = draftTools(draft);
  const include: NonNullable<ResponseCreateParams['include']> = [];
  if (draft.fileSearch) include.push('file_search_call.results');
  if (draft.codeInterpreter) include.push('code_interpreter_call.outputs');
  return {
    model: draft.model.trim(),
    input,
    stream: true,
    store: draft.store,
    ...(draft.background ? { background: true } : {}),
    ...(draft.instructions.trim() === '' ? {} : { instructions: draft.instructions }),
    ...(tools.length === 0 ? {} : { tools }),
    ...(include.length === 0 ? {} : { include }),
    ...(draft.previousResponseId.trim() === '' ? {} : { previous_response_id: draft.previousResponseId.trim() }),
    ...(draft.conversationId.trim() === '' ? {} : { conversation: draft.conversationId.trim() }),
  };
}

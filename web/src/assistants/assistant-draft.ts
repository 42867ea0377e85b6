import type { Assistant, AssistantCreateParams, AssistantTool } from '../api/types.js';
import { checkFunctionDefinition, checkJsonSchema, parseJson } from '../components/json-schema-check.js';

export type ResponseFormatChoice = 'auto' | 'text' | 'json_object' | 'json_schema';

/** The editor's form state: what the user typed, as text, until it is saved. */
export interface AssistantDraft {
  name: string;
  description: string;
  instructions: string;
  model: string;
  temperature: string;
  topP: string;
  responseFormat: ResponseFormatChoice;
  schemaName: string;
  schemaStrict: boolean;
  schemaText: string;
  metadata: Array<{ key: string; value: string }>;
  fileSearch: boolean;
  vectorStoreId: string;
  maxNumResults: string;
  scoreThreshold: string;
  codeInterpreter: boolean;
  codeFileIds: string[];
  /** Each function tool's definition as JSON text. */
  functions: string[];
}

export const FUNCTION_TEMPLATE = JSON.stringify(
  {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  null,
  2,
);

const SCHEMA_TEMPLATE = JSON.stringify(
  { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false },
  null,
  2,
);

export function toDraft(assistant: Assistant | null): AssistantDraft {
  const tools = assistant?.tools ?? [];
  const fileSearch = tools.find((tool) => tool.type === 'file_search');
  const format = assistant?.response_format;
  const schema = typeof format === 'object' && format?.type === 'json_schema' ? format.json_schema : undefined;
  return {
    name: assistant?.name ?? '',
    description: assistant?.description ?? '',
    instructions: assistant?.instructions ?? '',
    model: assistant?.model ?? '',
    temperature: numberText(assistant?.temperature),
    topP: numberText(assistant?.top_p),
    responseFormat: format === undefined || format === null || format === 'auto' ? 'auto' : format.type,
    schemaName: schema?.name ?? 'answer',
    schemaStrict: schema?.strict ?? false,
    schemaText: schema?.schema === undefined ? SCHEMA_TEMPLATE : JSON.stringify(schema.schema, null, 2),
    metadata: Object.entries((assistant?.metadata ?? {}) as Record<string, string>).map(([key, value]) => ({
      key,
      value,
    })),
    fileSearch: fileSearch !== undefined,
    vectorStoreId: assistant?.tool_resources?.file_search?.vector_store_ids?.[0] ?? '',
    maxNumResults: numberText(fileSearch?.file_search?.max_num_results),
    scoreThreshold: numberText(fileSearch?.file_search?.ranking_options?.score_threshold),
    codeInterpreter: tools.some((tool) => tool.type === 'code_interpreter'),
    codeFileIds: assistant?.tool_resources?.code_interpreter?.file_ids ?? [],
    functions: tools.flatMap((tool) => (tool.type === 'function' ? [JSON.stringify(tool.function, null, 2)] : [])),
  };
}

function numberText(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** A number typed in a field, `undefined` when the field is empty, or a problem. */
function readNumber(text: string, label: string, min: number, max: number, problems: string[]): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    problems.push(`${label} must be a number from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

export interface DraftRequest {
  params: AssistantCreateParams;
  problems: string[];
}

/** What the draft would send to `assistants.create` / `update`, and what must be fixed first. */
export function toRequest(draft: AssistantDraft): DraftRequest {
  const problems: string[] = [];
  if (draft.model.trim() === '') problems.push('Choose a model');
  const temperature = readNumber(draft.temperature, 'Temperature', 0, 2, problems);
  const topP = readNumber(draft.topP, 'Top P', 0, 1, problems);
  const metadata = Object.fromEntries(
    draft.metadata.filter((row) => row.key.trim() !== '').map((row) => [row.key.trim(), row.value]),
  );
  if (Object.keys(metadata).length > 16) problems.push('Metadata holds at most 16 keys');
  const params: AssistantCreateParams = {
    model: draft.model.trim(),
    name: draft.name,
    description: draft.description,
    instructions: draft.instructions,
    temperature: temperature ?? 1,
    top_p: topP ?? 1,
    response_format: responseFormat(draft, problems),
    metadata,
    tools: tools(draft, problems),
    tool_resources: {
      file_search: { vector_store_ids: draft.fileSearch && draft.vectorStoreId !== '' ? [draft.vectorStoreId] : [] },
      code_interpreter: { file_ids: draft.codeInterpreter ? draft.codeFileIds : [] },
    },
  };
  return { params, problems };
}

function responseFormat(draft: AssistantDraft, problems: string[]): AssistantCreateParams['response_format'] {
  switch (draft.responseFormat) {
    case 'auto':
      return 'auto';
    case 'text':
    case 'json_object':
      return { type: draft.responseFormat };
    case 'json_schema': {
      const parsed = parseJson(draft.schemaText);
      if (!parsed.ok) {
        problems.push(`JSON schema: ${parsed.problem}`);
        return 'auto';
      }
      problems.push(...checkJsonSchema(parsed.value, 'schema').map((problem) => `JSON schema: ${problem}`));
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(draft.schemaName)) {
        problems.push('Schema name must be 1 to 64 letters, digits, _ or -');
      }
      return {
        type: 'json_schema',
        json_schema: {
          name: draft.schemaName,
          strict: draft.schemaStrict,
          schema: parsed.value as Record<string, unknown>,
        },
      };
    }
  }
}

function tools(draft: AssistantDraft, problems: string[]): AssistantTool[] {
  const list: AssistantTool[] = [];
  if (draft.fileSearch) {
    const maxNumResults = readNumber(draft.maxNumResults, 'Max results', 1, 50, problems);
    const scoreThreshold = readNumber(draft.scoreThreshold, 'Score threshold', 0, 1, problems);
    list.push({
      type: 'file_search',
      file_search: {
        ...(maxNumResults === undefined ? {} : { max_num_results: Math.round(maxNumResults) }),
        ...(scoreThreshold === undefined
          ? {}
          : { ranking_options: { ranker: 'default_2024_08_21', score_threshold: scoreThreshold } }),
      },
    });
  }
  if (draft.codeInterpreter) list.push({ type: 'code_interpreter' });
  draft.functions.forEach((text, index) => {
    const checked = checkFunctionDefinition(text);
    problems.push(...checked.problems.map((problem) => `Function ${index + 1}: ${problem}`));
    if (checked.value !== undefined && checked.problems.length === 0) {
      list.push({ type: 'function', function: checked.value as { name: string } });
    }
  });
  return list;
}

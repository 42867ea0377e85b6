import type { Run } from '../../api/types.js';
import type { ToolDefinition } from '../../providers/index.js';
import type { BuiltinTool, BuiltinToolContext, BuiltinToolOutcome, StepToolCall } from '../builtin-tool.js';
import { citationMarker } from './citations.js';
import { type FileSearchDependencies, type FileSearchResult, searchFiles } from './search.js';

/** OpenAI's default `max_num_results` for gpt-4* and newer models. */
const DEFAULT_MAX_RESULTS = 20;
const MAX_QUERIES = 5;

export interface FileSearchToolDependencies extends FileSearchDependencies {
  /** Waits (bounded) until the stores have no file still being ingested. */
  awaitIngestion(vectorStoreIds: readonly string[], signal: AbortSignal): Promise<void>;
}

type FileSearchCall = Extract<StepToolCall, { type: 'file_search' }>;

/** How the model sees file_search: a function it calls. */
export const FILE_SEARCH_DEFINITION: ToolDefinition = {
  name: 'file_search',
  description:
    'Search the files available to you (uploaded documents and knowledge files) for passages relevant to the user. ' +
    'Use it whenever the answer may be in those files. Give one or more short, self-contained search queries: ' +
    'rewrite the question into the words a document would use, and split a multi-part question into separate queries.',
  parameters: {
    type: 'object',
    properties: {
      queries: {
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        maxItems: MAX_QUERIES,
        description: 'Search queries.',
      },
    },
    required: ['queries'],
    additionalProperties: false,
  },
};

/**
 * file_search, chosen by the model: offered as a function taking one or more queries, so the model
 * rewrites and splits the question itself. Searches the assistant's and the thread's vector stores,
 * and returns the passages under source markers the model is asked to cite.
 */
export function createFileSearchTool(deps: FileSearchToolDependencies): BuiltinTool {
  return {
    type: 'file_search',
    definition: (): ToolDefinition => FILE_SEARCH_DEFINITION,

    async execute(argumentsJson: string, context: BuiltinToolContext): Promise<BuiltinToolOutcome> {
      const queries = parseQueries(argumentsJson);
      const options = fileSearchOptions(context.run);
      await deps.awaitIngestion(context.vectorStoreIds, context.signal);
      const results =
        context.vectorStoreIds.length === 0 || queries.length === 0
          ? []
          : await searchFiles(deps, {
              project: context.project,
              vectorStoreIds: context.vectorStoreIds,
              queries,
              maxNumResults: options.maxNumResults,
              scoreThreshold: options.scoreThreshold,
              ...(context.fileSearchFilter ? { filter: context.fileSearchFilter } : {}),
              signal: context.signal,
            });
      for (const vectorStoreId of context.vectorStoreIds)
        await deps.vectorStores.touch(vectorStoreId, Math.floor(Date.now() / 1000));
      const toolCall: FileSearchCall = {
        id: context.callId,
        type: 'file_search',
        file_search: {
          ranking_options: { ranker: options.ranker, score_threshold: options.scoreThreshold },
          results: results.map((result) => toStepResult(result)),
        },
      };
      return {
        toolCall,
        modelOutput: formatResults(queries, toolCall, context.ordinal, context.vectorStoreIds.length),
      };
    },

    replayOutput(toolCall: StepToolCall, ordinal: number): string {
      return toolCall.type === 'file_search' ? formatResults([], toolCall, ordinal, 1) : '';
    },
  };
}

/** The tool's settings from the run's `file_search` tool entry. */
export function fileSearchOptions(run: Run): {
  maxNumResults: number;
  scoreThreshold: number;
  ranker: 'auto' | 'default_2024_08_21';
} {
  const tool = run.tools.find((candidate) => candidate.type === 'file_search');
  const config = tool?.type === 'file_search' ? tool.file_search : undefined;
  return {
    maxNumResults: config?.max_num_results ?? DEFAULT_MAX_RESULTS,
    scoreThreshold: config?.ranking_options?.score_threshold ?? 0,
    // `auto` resolves to the current ranker, as OpenAI reports it on steps.
    ranker: 'default_2024_08_21',
  };
}

/** The model's queries; a malformed argument string is searched as it is rather than failing the run. */
function parseQueries(argumentsJson: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(argumentsJson);
  } catch {
    return argumentsJson.trim() === '' ? [] : [argumentsJson.trim()];
  }
  const raw = (parsed as { queries?: unknown; query?: unknown }) ?? {};
  const list = Array.isArray(raw.queries)
    ? raw.queries
    : raw.query !== undefined
      ? [raw.query]
      : typeof parsed === 'string'
        ? [parsed]
        : [];
  return list
    .filter((query): query is string => typeof query === 'string' && query.trim() !== '')
    .slice(0, MAX_QUERIES);
}

function toStepResult(result: FileSearchResult) {
  return {
    file_id: result.fileId,
    file_name: result.filename,
    score: result.score,
    content: [{ type: 'text' as const, text: result.text }],
  };
}

/** The passages as the model reads them, each under the marker it should cite. */
function formatResults(
  queries: readonly string[],
  toolCall: FileSearchCall,
  ordinal: number,
  storeCount: number,
): string {
  const results = toolCall.file_search.results ?? [];
  if (storeCount === 0) return 'No files are available to search.';
  if (results.length === 0)
    return `No passages matched${queries.length > 0 ? ` the queries ${JSON.stringify(queries)}` : ''}.`;
  const passages = results.map(
    (result, index) =>
      `${citationMarker(ordinal, index, result.file_name)}\n${result.content?.map((part) => part.text ?? '').join('\n') ?? ''}`,
  );
  return [
    'Passages from the files, each under its source marker. When you use a passage, cite it by copying its marker exactly (for example ' +
      `${citationMarker(ordinal, 0, results[0]!.file_name)}) right after the statement it supports.`,
    ...passages,
  ].join('\n\n');
}

import type { RunStep } from '../api/types.js';

/** The `include[]` value that asks for file_search result content on run steps. */
export const FILE_SEARCH_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

/**
 * A step as the API shows it: file_search results keep their content only when the request (or,
 * for stream events, the run) asked for it with `include[]`. Steps are stored whole.
 */
export function presentStep(step: RunStep, include: readonly string[]): RunStep {
  if (include.includes(FILE_SEARCH_CONTENT) || step.step_details.type !== 'tool_calls') return step;
  const calls = step.step_details.tool_calls;
  if (
    !calls.some(
      (call) => call.type === 'file_search' && call.file_search.results?.some((result) => result.content !== undefined),
    )
  )
    return step;
  return {
    ...step,
    step_details: {
      type: 'tool_calls',
      tool_calls: calls.map((call) =>
        call.type === 'file_search' && call.file_search.results
          ? {
              ...call,
              file_search: {
                ...call.file_search,
                results: call.file_search.results.map(({ content: _content, ...result }) => result),
              },
            }
          : call,
      ),
    },
  };
}

import type { RunStep } from '../api/types.js';

/** `ordinal:index` → file id for every file_search result the run's steps hold, in call order. */
export function citationSourcesOf(steps: readonly RunStep[]): Map<string, string> {
  const sources = new Map<string, string>();
  let ordinal = 0;
  for (const step of steps) {
    if (step.step_details.type !== 'tool_calls') continue;
    for (const call of step.step_details.tool_calls) {
      if (call.type !== 'file_search') continue;
      for (const [index, result] of (call.file_search.results ?? []).entries()) {
        sources.set(`${ordinal}:${index}`, result.file_id);
      }
      ordinal += 1;
    }
  }
  return sources;
}

import type { Client, RunStep } from '../api/types.js';

export interface CitedSource {
  fileName: string;
  score: number;
  /** The passage the model was given. */
  text: string;
}

const cache = new Map<string, Promise<Map<string, CitedSource>>>();

/**
 * The search results a finished run's markers refer to, by `ordinal:index` (as the server numbers them: file_search
 * calls in step order, results in rank order), read from its steps with their content included.
 */
export function citedSources(client: Client, threadId: string, runId: string): Promise<Map<string, CitedSource>> {
  let sources = cache.get(runId);
  if (sources === undefined) {
    sources = loadSteps(client, threadId, runId).then(sourcesOf);
    sources.catch(() => cache.delete(runId));
    cache.set(runId, sources);
  }
  return sources;
}

/** A run's steps, oldest first, with file_search results' content. */
export async function loadSteps(client: Client, threadId: string, runId: string): Promise<RunStep[]> {
  const page = await client.beta.threads.runs.steps.list(runId, {
    thread_id: threadId,
    order: 'asc',
    limit: 100,
    include: ['step_details.tool_calls[*].file_search.results[*].content'],
  });
  return page.data;
}

function sourcesOf(steps: RunStep[]): Map<string, CitedSource> {
  const sources = new Map<string, CitedSource>();
  let ordinal = 0;
  for (const step of steps) {
    if (step.step_details.type !== 'tool_calls') continue;
    for (const call of step.step_details.tool_calls) {
      if (call.type !== 'file_search') continue;
      (call.file_search.results ?? []).forEach((result, index) => {
        const text = (result.content ?? []).map((part) => part.text ?? '').join('\n');
        sources.set(`${ordinal}:${index}`, { fileName: result.file_name, score: result.score, text });
      });
      ordinal += 1;
    }
  }
  return sources;
}

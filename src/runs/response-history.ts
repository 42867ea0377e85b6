import type { StoredRun } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import type { HistorySegment } from './select-history.js';

/** Most earlier responses a `previous_response_id` chain is followed through. */
const MAX_CHAIN = 1000;

/**
 * Where a response's history lives, newest first: its own thread (its conversation, or the thread made for it),
 * then its `previous_response_id` chain (`chainSegments`). Undefined for an Assistants run, whose history is its
 * thread's messages.
 */
export async function responseHistory(
  store: Store,
  stored: StoredRun,
): Promise<{ segments: HistorySegment[]; rows: 'all' } | undefined> {
  const settings = stored.state.response;
  if (!settings) return undefined;
  const chain = await chainSegments(store, stored.project, settings.echo.previous_response_id, stored.run.id);
  return { segments: [{ threadId: stored.run.thread_id }, ...chain], rows: 'all' };
}

/**
 * Each response of a `previous_response_id` chain, newest first, as the part of its thread that is its history: up
 * to the last row it wrote or took as input (a conversation may have gone on after it). The chain stops at a
 * response that no longer exists (or at `from`, should the chain loop back to it).
 */
export async function chainSegments(
  store: Store,
  project: string,
  previousId: string | null,
  from?: string,
): Promise<HistorySegment[]> {
  const segments: HistorySegment[] = [];
  const seen = new Set<string>(from === undefined ? [] : [from]);
  let next = previousId;
  while (next !== null && !seen.has(next) && segments.length < MAX_CHAIN) {
    seen.add(next);
    const previous = await store.runs.getById(next);
    if (!previous || previous.project !== project || !previous.state.response) break;
    const threadId = previous.run.thread_id;
    segments.push({ threadId, throughSeq: await store.messages.lastSeqOf(project, threadId, next) });
    next = previous.state.response.echo.previous_response_id;
  }
  return segments;
}

import type { StoredRun } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import type { HistorySegment } from './select-history.js';

/** Most earlier responses a `previous_response_id` chain is followed through. */
const MAX_CHAIN = 1000;

/**
 * Where a response's history lives, newest first: its own thread (its conversation, or the thread made for it),
 * then each earlier response of its `previous_response_id` chain — that response's part of its own thread, up to
 * the last row it wrote or took as input (a conversation may have gone on after it). The chain stops at a response
 * that no longer exists. Undefined for an Assistants run, whose history is its thread's messages.
 */
export async function responseHistory(
  store: Store,
  stored: StoredRun,
): Promise<{ segments: HistorySegment[]; rows: 'all' } | undefined> {
  const settings = stored.state.response;
  if (!settings) return undefined;
  const segments: HistorySegment[] = [{ threadId: stored.run.thread_id }];
  const seen = new Set<string>([stored.run.id]);
  let previousId = settings.echo.previous_response_id;
  while (previousId !== null && !seen.has(previousId) && segments.length <= MAX_CHAIN) {
    seen.add(previousId);
    const previous = await store.runs.getById(previousId);
    if (!previous || previous.project !== stored.project || !previous.state.response) break;
    const threadId = previous.run.thread_id;
    const throughSeq = await store.messages.lastSeqOf(stored.project, threadId, previousId);
    segments.push({ threadId, throughSeq });
    previousId = previous.state.response.echo.previous_response_id;
  }
  return { segments, rows: 'all' };
}

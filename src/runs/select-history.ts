import {
  type ChatMessage,
  createTokenCounter,
  encodingForModel,
  type TokenCounter,
  type TokenCountPool,
} from '../providers/index.js';
import type { TokenCounts } from '../store/run-repository.js';
import type { ContextRow, MessageRepository, ThreadRow } from '../store/store.js';
import { chatTexts, countAhead } from './chat-texts.js';
import { rowToChatMessages } from './row-to-chat-messages.js';

/** A thread, or the part of one up to a position, whose rows are history. */
export interface HistorySegment {
  threadId: string;
  /** Only rows at or before this position. */
  throughSeq?: number;
}

export interface HistoryQuery {
  project: string;
  /**
   * Where the history lives, newest first: the run's own thread, then — for a response continuing earlier ones
   * (`previous_response_id`) — each earlier response's part of its thread.
   */
  segments: readonly HistorySegment[];
  /** Assistants runs read messages only; responses read every row. */
  rows: 'messages' | 'all';
  runId: string;
  model: string;
  /** Tokens the history may take. */
  budget: number;
  /** `truncation_strategy: last_messages`: at most this many; null for as many as fit. */
  lastMessages: number | null;
}

export interface SelectedHistory {
  /** Oldest first. */
  rows: ThreadRow[];
  tokens: number;
  /** True when the newest message alone is over the budget. */
  newestTooLarge: boolean;
  /** Older rows were left out: they did not fit in the budget (or past `lastMessages`). */
  truncated: boolean;
  /** Counts made now, for messages not counted before: the caller keeps them (`RunChanges.tokenCounts`). */
  tokenCounts: TokenCounts;
}

const PAGE = 50;

/**
 * The newest thread rows (this run's own left out) that fit in `budget`, read newest first and only as far as
 * needed, so a run on a thread of 100,000 messages costs what one on a thread of a hundred does. A row is
 * counted once, in the token-count pool; the counts made are returned for the run to keep with the rows.
 */
export async function selectHistory(
  messages: MessageRepository,
  pool: TokenCountPool,
  query: HistoryQuery,
): Promise<SelectedHistory> {
  const encoding = encodingForModel(query.model);
  const selected: ThreadRow[] = [];
  let tokens = 0;
  const tokenCounts = { encoding, counts: [] as Array<{ id: string; tokens: number }> };
  const result = (newestTooLarge: boolean, truncated: boolean): SelectedHistory => ({
    rows: selected.reverse(),
    tokens,
    newestTooLarge,
    truncated,
    tokenCounts,
  });
  const wanted = query.lastMessages ?? Number.POSITIVE_INFINITY;
  for (const segment of query.segments) {
    let beforeSeq: number | undefined;
    while (selected.length < wanted) {
      const page = await messages.newestForContext(query.project, segment.threadId, {
        excludeRunId: query.runId,
        encoding,
        rows: query.rows,
        limit: PAGE,
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
        ...(segment.throughSeq === undefined ? {} : { throughSeq: segment.throughSeq }),
      });
      const sizes = await sizesOf(pool, query, encoding, page, tokenCounts.counts);
      for (const [index, entry] of page.entries()) {
        const size = sizes[index]!;
        if (selected.length >= wanted || tokens + size > query.budget) return result(selected.length === 0, true);
        selected.push(entry.row);
        tokens += size;
      }
      if (page.length < PAGE) break;
      beforeSeq = page.at(-1)!.seq;
    }
  }
  return result(false, false);
}

/** Each entry's token count: the stored one, or counted now (and added to `counted`). */
async function sizesOf(
  pool: TokenCountPool,
  query: HistoryQuery,
  encoding: TokenCounter['encoding'],
  page: readonly ContextRow[],
  counted: Array<{ id: string; tokens: number }>,
): Promise<number[]> {
  const uncounted = page.filter((entry) => entry.tokens === undefined).map((entry) => entry.row);
  if (uncounted.length === 0) return page.map((entry) => entry.tokens!);
  const shapes = new Map<string, ChatMessage[]>();
  for (const row of uncounted) shapes.set(rowId(row), await rowToChatMessages(row, countingOnly));
  const known = await countAhead((texts) => pool.count(encoding, texts), chatTexts([...shapes.values()].flat()));
  const counter = createTokenCounter(query.model, known);
  const byId = new Map<string, number>();
  for (const row of uncounted) {
    const id = rowId(row);
    const tokens = shapes.get(id)!.reduce((sum, message) => sum + counter.countMessage(message), 0);
    byId.set(id, tokens);
    counted.push({ id, tokens });
  }
  return page.map((entry) => entry.tokens ?? byId.get(rowId(entry.row))!);
}

function rowId(row: ThreadRow): string {
  return row.kind === 'message' ? row.message.id : row.item.id;
}

/** Images cost a fixed number of tokens, so counting never needs their bytes. */
export async function countingOnly(): Promise<{ data: Uint8Array; mediaType: string }> {
  return { data: new Uint8Array(0), mediaType: 'image/png' };
}

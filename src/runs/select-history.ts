import type { Message } from '../api/types.js';
import {
  type ChatMessage,
  createTokenCounter,
  encodingForModel,
  type TokenCounter,
  type TokenCountPool,
} from '../providers/index.js';
import type { TokenCounts } from '../store/run-repository.js';
import type { MessageRepository } from '../store/store.js';
import { chatTexts, countAhead } from './chat-texts.js';
import { toChatMessage } from './to-chat-message.js';

export interface HistoryQuery {
  project: string;
  threadId: string;
  runId: string;
  model: string;
  /** Tokens the history may take. */
  budget: number;
  /** `truncation_strategy: last_messages`: at most this many; null for as many as fit. */
  lastMessages: number | null;
}

export interface SelectedHistory {
  /** Oldest first. */
  messages: Message[];
  tokens: number;
  /** True when the newest message alone is over the budget. */
  newestTooLarge: boolean;
  /** Counts made now, for messages not counted before: the caller keeps them (`RunChanges.tokenCounts`). */
  tokenCounts: TokenCounts;
}

const PAGE = 50;

/**
 * The newest thread messages (this run's own left out) that fit in `budget`, read newest first and only as far as
 * needed, so a run on a thread of 100,000 messages costs what one on a thread of a hundred does. A message is
 * counted once, in the token-count pool; the counts made are returned for the run to keep with the messages.
 */
export async function selectHistory(
  messages: MessageRepository,
  pool: TokenCountPool,
  query: HistoryQuery,
): Promise<SelectedHistory> {
  const encoding = encodingForModel(query.model);
  const selected: Message[] = [];
  let tokens = 0;
  const tokenCounts = { encoding, counts: [] as Array<{ id: string; tokens: number }> };
  const result = (newestTooLarge: boolean): SelectedHistory => ({
    messages: selected.reverse(),
    tokens,
    newestTooLarge,
    tokenCounts,
  });
  let beforeSeq: number | undefined;
  const wanted = query.lastMessages ?? Number.POSITIVE_INFINITY;
  while (selected.length < wanted) {
    const page = await messages.newestForContext(query.project, query.threadId, {
      excludeRunId: query.runId,
      encoding,
      limit: PAGE,
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    });
    const sizes = await sizesOf(pool, query, encoding, page, tokenCounts.counts);
    for (const [index, entry] of page.entries()) {
      const size = sizes[index]!;
      if (selected.length >= wanted || tokens + size > query.budget) return result(selected.length === 0);
      selected.push(entry.message);
      tokens += size;
    }
    if (page.length < PAGE) break;
    beforeSeq = page.at(-1)!.seq;
  }
  return result(false);
}

/** Each entry's token count: the stored one, or counted now (and added to `counted`). */
async function sizesOf(
  pool: TokenCountPool,
  query: HistoryQuery,
  encoding: TokenCounter['encoding'],
  page: ReadonlyArray<{ message: Message; tokens: number | undefined }>,
  counted: Array<{ id: string; tokens: number }>,
): Promise<number[]> {
  const uncounted = page.filter((entry) => entry.tokens === undefined).map((entry) => entry.message);
  if (uncounted.length === 0) return page.map((entry) => entry.tokens!);
  const shapes = new Map<string, ChatMessage>();
  for (const message of uncounted) shapes.set(message.id, await toChatMessage(message, countingOnly));
  const known = await countAhead((texts) => pool.count(encoding, texts), chatTexts([...shapes.values()]));
  const counter = createTokenCounter(query.model, known);
  const byId = new Map<string, number>();
  for (const message of uncounted) {
    const tokens = counter.countMessage(shapes.get(message.id)!);
    byId.set(message.id, tokens);
    counted.push({ id: message.id, tokens });
  }
  return page.map((entry) => entry.tokens ?? byId.get(entry.message.id)!);
}

/** Images cost a fixed number of tokens, so counting never needs their bytes. */
async function countingOnly(): Promise<{ data: Uint8Array; mediaType: string }> {
  return { data: new Uint8Array(0), mediaType: 'image/png' };
}

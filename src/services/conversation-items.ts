import type { Message } from '../api/types.js';
import {
  type ConversationItem,
  INCLUDE_CODE_INTERPRETER_OUTPUTS,
  INCLUDE_FILE_SEARCH_RESULTS,
  rowToItem,
} from '../responses/items.js';
import type { Store, ThreadRow } from '../store/store.js';

/**
 * Thread rows as Conversations items. Cited files are named by their current filename, and built-in calls show
 * their results or outputs only when `include` asks, as a response's output does.
 */
export async function presentItems(
  store: Store,
  project: string,
  rows: readonly { row: ThreadRow }[],
  include: readonly string[],
): Promise<ConversationItem[]> {
  const messages = rows.flatMap(({ row }) => (row.kind === 'message' ? [row.message] : []));
  const filenames = await citedFilenames(store, project, messages);
  return rows.map(({ row }) => withoutUnasked(rowToItem(row, { filenames }), include));
}

/** The current names of the files these messages cite (`file_citation` annotations), by id. */
export async function citedFilenames(
  store: Store,
  project: string,
  messages: readonly Message[],
): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const message of messages) {
    for (const part of message.content) {
      if (part.type !== 'text') continue;
      for (const annotation of part.text.annotations) {
        if (annotation.type === 'file_citation') ids.add(annotation.file_citation.file_id);
      }
    }
  }
  return ids.size === 0 ? new Map() : store.files.filenames(project, [...ids]);
}

function withoutUnasked(item: ConversationItem, include: readonly string[]): ConversationItem {
  if (item.type === 'file_search_call' && !include.includes(INCLUDE_FILE_SEARCH_RESULTS)) {
    return { ...item, results: null };
  }
  if (item.type === 'code_interpreter_call' && !include.includes(INCLUDE_CODE_INTERPRETER_OUTPUTS)) {
    return { ...item, outputs: null };
  }
  return item;
}

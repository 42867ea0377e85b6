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
  const cited = citedFileIds(rows);
  const filenames = cited.length === 0 ? new Map<string, string>() : await store.files.filenames(project, cited);
  return rows.map(({ row }) => withoutUnasked(rowToItem(row, { filenames }), include));
}

function citedFileIds(rows: readonly { row: ThreadRow }[]): string[] {
  const ids = new Set<string>();
  for (const { row } of rows) {
    if (row.kind !== 'message') continue;
    for (const part of row.message.content) {
      if (part.type !== 'text') continue;
      for (const annotation of part.text.annotations) {
        if (annotation.type === 'file_citation') ids.add(annotation.file_citation.file_id);
      }
    }
  }
  return [...ids];
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

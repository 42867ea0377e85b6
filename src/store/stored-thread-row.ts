import type { Message } from '../api/types.js';
import type { ConversationItem, StoredThreadRow, ThreadRow } from './store.js';

/** A stored row's `kind` and `data` as the thread row they hold (both dialects store rows alike). */
export function decodeRow(kind: string, data: string): ThreadRow {
  return kind === 'message'
    ? { kind: 'message', message: JSON.parse(data) as Message }
    : { kind: 'item', item: JSON.parse(data) as ConversationItem };
}

/** The columns a thread row is read with, and how they become a `StoredThreadRow` (each dialect's page reader). */
export const STORED_ROW = {
  columns: 'seq, kind, run_id, input_of, data',
  decode: (row: Record<string, unknown>): StoredThreadRow => ({
    row: decodeRow(row.kind as string, row.data as string),
    seq: Number(row.seq),
    runId: (row.run_id as string | null) ?? null,
    inputOf: (row.input_of as string | null) ?? null,
  }),
};

import type { Page, PageRequest } from '../../api/pagination.js';
import type { Message } from '../../api/types.js';
import { ThreadBusyError } from '../run-repository.js';
import type {
  ContextQuery,
  ContextRow,
  MessageFilter,
  MessageRepository,
  NewThreadRow,
  RowFilter,
  StoredThreadRow,
} from '../store.js';
import { decodeRow, STORED_ROW } from '../stored-thread-row.js';
import { selectPage } from './select-page.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Keeps each message's token count for `encoding` (inside the caller's write transaction). */
export function storeTokenCounts(
  db: SqliteDatabase,
  project: string,
  encoding: string,
  counts: ReadonlyArray<{ id: string; tokens: number }>,
): void {
  for (const { id, tokens } of counts) {
    db.run(
      `UPDATE messages SET token_counts = json_set(coalesce(token_counts, '{}'), '$.' || ?, ?) WHERE id = ? AND project = ?`,
      encoding,
      tokens,
      id,
      project,
    );
  }
}

/** Inserts a message, or replaces it whole when it exists (the run engine rewrites its own messages). */
export function upsertMessage(db: SqliteDatabase, project: string, message: Message): void {
  upsertRow(db, project, message.thread_id, { row: { kind: 'message', message }, runId: message.run_id });
}

/** Inserts a thread row of either kind, or replaces it whole when it exists. */
export function upsertRow(db: SqliteDatabase, project: string, threadId: string, entry: NewThreadRow): void {
  const { row } = entry;
  const data = row.kind === 'message' ? row.message : row.item;
  db.run(
    `INSERT INTO messages (id, project, thread_id, run_id, input_of, kind, data) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, run_id = excluded.run_id, token_counts = NULL`,
    data.id,
    project,
    threadId,
    entry.runId ?? null,
    entry.inputOf ?? null,
    row.kind,
    JSON.stringify(data),
  );
}

/** The id of the thread's active run, if any. */
export function activeRunId(db: SqliteDatabase, threadId: string): string | undefined {
  return db.get<{ id: string }>(
    `SELECT id FROM runs WHERE thread_id = ? AND status IN ('queued', 'in_progress', 'requires_action', 'cancelling')`,
    threadId,
  )?.id;
}

export class SqliteMessages implements MessageRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, message: Message): Promise<void> {
    await this.db.write(() => {
      const runId = activeRunId(this.db, message.thread_id);
      if (runId !== undefined) throw new ThreadBusyError(message.thread_id, runId);
      upsertMessage(this.db, project, message);
    });
  }

  async get(project: string, threadId: string, id: string): Promise<Message | undefined> {
    const row = this.db.get<{ data: string }>(
      `SELECT data FROM messages WHERE id = ? AND thread_id = ? AND project = ? AND kind = 'message'`,
      id,
      threadId,
      project,
    );
    return row && (JSON.parse(row.data) as Message);
  }

  async update(project: string, message: Message): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE messages SET data = ?, run_id = ? WHERE id = ? AND project = ?',
        JSON.stringify(message),
        message.run_id,
        message.id,
        project,
      ),
    );
  }

  async delete(project: string, threadId: string, id: string): Promise<boolean> {
    return (
      this.db.run(
        `DELETE FROM messages WHERE id = ? AND thread_id = ? AND project = ? AND kind = 'message'`,
        id,
        threadId,
        project,
      ).changes > 0
    );
  }

  async list(project: string, threadId: string, page: PageRequest, filter: MessageFilter = {}): Promise<Page<Message>> {
    const scope =
      filter.runId === undefined
        ? {
            table: 'messages',
            where: `thread_id = ? AND project = ? AND kind = 'message'`,
            params: [threadId, project],
          }
        : {
            table: 'messages',
            where: `thread_id = ? AND run_id = ? AND project = ? AND kind = 'message'`,
            params: [threadId, filter.runId, project],
          };
    return selectPage(this.db, scope, page);
  }

  async newestForContext(project: string, threadId: string, query: ContextQuery): Promise<ContextRow[]> {
    const rows = this.db.all<{ seq: number; kind: string; data: string; tokens: number | null }>(
      `SELECT seq, kind, data, json_extract(token_counts, '$.' || ?) AS tokens FROM messages
       WHERE thread_id = ? AND project = ? AND run_id IS NOT ? AND seq < ? AND seq <= ?
         ${query.rows === 'messages' ? `AND kind = 'message'` : ''}
       ORDER BY seq DESC LIMIT ?`,
      query.encoding,
      threadId,
      project,
      query.excludeRunId,
      query.beforeSeq ?? Number.MAX_SAFE_INTEGER,
      query.throughSeq ?? Number.MAX_SAFE_INTEGER,
      query.limit,
    );
    return rows.map((row) => ({ seq: row.seq, row: decodeRow(row.kind, row.data), tokens: row.tokens ?? undefined }));
  }

  async insertRows(project: string, threadId: string, rows: readonly NewThreadRow[]): Promise<void> {
    await this.db.write(() => {
      const runId = activeRunId(this.db, threadId);
      if (runId !== undefined) throw new ThreadBusyError(threadId, runId);
      for (const entry of rows) upsertRow(this.db, project, threadId, entry);
    });
  }

  async listRows(
    project: string,
    threadId: string,
    page: PageRequest,
    filter: RowFilter = {},
  ): Promise<Page<StoredThreadRow>> {
    const scope =
      filter.inputOf === undefined
        ? { table: 'messages', where: 'thread_id = ? AND project = ?', params: [threadId, project] }
        : {
            table: 'messages',
            where: 'thread_id = ? AND input_of = ? AND project = ?',
            params: [threadId, filter.inputOf, project],
          };
    return selectPage(this.db, scope, page, STORED_ROW);
  }

  async getRow(project: string, threadId: string, id: string): Promise<StoredThreadRow | undefined> {
    const row = this.db.get<Record<string, unknown>>(
      `SELECT ${STORED_ROW.columns} FROM messages WHERE id = ? AND thread_id = ? AND project = ?`,
      id,
      threadId,
      project,
    );
    return row && STORED_ROW.decode(row);
  }

  async findRow(project: string, id: string): Promise<StoredThreadRow | undefined> {
    const row = this.db.get<Record<string, unknown>>(
      `SELECT ${STORED_ROW.columns} FROM messages WHERE id = ? AND project = ?`,
      id,
      project,
    );
    return row && STORED_ROW.decode(row);
  }

  async deleteRow(project: string, threadId: string, id: string): Promise<boolean> {
    return (
      this.db.run('DELETE FROM messages WHERE id = ? AND thread_id = ? AND project = ?', id, threadId, project)
        .changes > 0
    );
  }

  async lastSeqOf(project: string, threadId: string, responseId: string): Promise<number> {
    const row = this.db.get<{ seq: number | null }>(
      `SELECT max(seq) AS seq FROM messages WHERE thread_id = ? AND project = ? AND (run_id = ? OR input_of = ?)`,
      threadId,
      project,
      responseId,
      responseId,
    );
    return row?.seq ?? 0;
  }

  async codeInterpreterAttachments(project: string, threadId: string): Promise<string[]> {
    const rows = this.db.all<{ fileId: string }>(
      `SELECT DISTINCT json_extract(attachment.value, '$.file_id') AS fileId
       FROM messages, json_each(messages.data, '$.attachments') AS attachment, json_each(attachment.value, '$.tools') AS tool
       WHERE messages.thread_id = ? AND messages.project = ? AND json_extract(tool.value, '$.type') = 'code_interpreter'
       ORDER BY messages.seq`,
      threadId,
      project,
    );
    return rows.map((row) => row.fileId).filter((fileId) => typeof fileId === 'string');
  }

  async count(project: string, threadId: string): Promise<number> {
    // Kept by triggers on insert/delete (migration 3), so the per-create limit check is one row read.
    const row = this.db.get<{ count: number }>(
      'SELECT message_count AS count FROM threads WHERE id = ? AND project = ?',
      threadId,
      project,
    );
    return row?.count ?? 0;
  }
}

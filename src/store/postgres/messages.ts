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
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { selectPage } from './select-page.js';

/** Keeps each message's token count for `encoding` (in the caller's transaction, if any). */
export async function storeTokenCounts(
  db: PgQueryable,
  project: string,
  encoding: string,
  counts: ReadonlyArray<{ id: string; tokens: number }>,
): Promise<void> {
  if (counts.length === 0) return;
  await db.run(
    `UPDATE messages SET token_counts = coalesce(messages.token_counts, '{}'::jsonb) || jsonb_build_object($1::text, c.tokens)
     FROM unnest($2::text[], $3::integer[]) AS c (id, tokens)
     WHERE messages.id = c.id AND messages.project = $4`,
    [encoding, counts.map((count) => count.id), counts.map((count) => count.tokens), project],
  );
}

/** Inserts a message, or replaces it whole when it exists (the run engine rewrites its own messages). */
export async function upsertMessage(db: PgQueryable, project: string, message: Message): Promise<void> {
  await upsertRow(db, project, message.thread_id, { row: { kind: 'message', message }, runId: message.run_id });
}

/** Inserts a thread row of either kind, or replaces it whole when it exists. */
export async function upsertRow(
  db: PgQueryable,
  project: string,
  threadId: string,
  entry: NewThreadRow,
): Promise<void> {
  const { row } = entry;
  const data = row.kind === 'message' ? row.message : row.item;
  await db.run(
    `INSERT INTO messages (id, project, thread_id, run_id, input_of, kind, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, run_id = excluded.run_id, token_counts = NULL`,
    [data.id, project, threadId, entry.runId ?? null, entry.inputOf ?? null, row.kind, JSON.stringify(data)],
  );
}

/**
 * Locks the thread's row until the transaction ends, so message writes and run creation on one thread take
 * turns (the thread row is always locked before any run row: no lock-order deadlocks). False: no such thread.
 */
export async function lockThread(tx: PgQueryable, threadId: string): Promise<boolean> {
  return (await tx.get('SELECT 1 FROM threads WHERE id = $1 FOR NO KEY UPDATE', [threadId])) !== undefined;
}

/** The id of the thread's active run, if any. */
export async function activeRunId(db: PgQueryable, threadId: string): Promise<string | undefined> {
  const row = await db.get<{ id: string }>(
    `SELECT id FROM runs WHERE thread_id = $1 AND status IN ('queued', 'in_progress', 'requires_action', 'cancelling')`,
    [threadId],
  );
  return row?.id;
}

export class PgMessages implements MessageRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(project: string, message: Message): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockThread(tx, message.thread_id);
      const runId = await activeRunId(tx, message.thread_id);
      if (runId !== undefined) throw new ThreadBusyError(message.thread_id, runId);
      await upsertMessage(tx, project, message);
    });
  }

  async get(project: string, threadId: string, id: string): Promise<Message | undefined> {
    const row = await this.db.get<{ data: string }>(
      `SELECT data FROM messages WHERE id = $1 AND thread_id = $2 AND project = $3 AND kind = 'message'`,
      [id, threadId, project],
    );
    return row && (JSON.parse(row.data) as Message);
  }

  async update(project: string, message: Message): Promise<void> {
    await this.db.run('UPDATE messages SET data = $1, run_id = $2 WHERE id = $3 AND project = $4', [
      JSON.stringify(message),
      message.run_id,
      message.id,
      project,
    ]);
  }

  async delete(project: string, threadId: string, id: string): Promise<boolean> {
    const deleted = await this.db.run(
      `DELETE FROM messages WHERE id = $1 AND thread_id = $2 AND project = $3 AND kind = 'message'`,
      [id, threadId, project],
    );
    return deleted > 0;
  }

  async list(project: string, threadId: string, page: PageRequest, filter: MessageFilter = {}): Promise<Page<Message>> {
    const scope =
      filter.runId === undefined
        ? {
            table: 'messages',
            where: `thread_id = $1 AND project = $2 AND kind = 'message'`,
            params: [threadId, project],
          }
        : {
            table: 'messages',
            where: `thread_id = $1 AND run_id = $2 AND project = $3 AND kind = 'message'`,
            params: [threadId, filter.runId, project],
          };
    return selectPage(this.db, scope, page);
  }

  async newestForContext(project: string, threadId: string, query: ContextQuery): Promise<ContextRow[]> {
    const rows = await this.db.all<{ seq: string; kind: string; data: string; tokens: number | null }>(
      `SELECT seq, kind, data, (token_counts ->> $1)::integer AS tokens FROM messages
       WHERE thread_id = $2 AND project = $3 AND run_id IS DISTINCT FROM $4 AND seq < $5 AND seq <= $6
         ${query.rows === 'messages' ? `AND kind = 'message'` : ''}
       ORDER BY seq DESC LIMIT $7`,
      [
        query.encoding,
        threadId,
        project,
        query.excludeRunId,
        query.beforeSeq ?? Number.MAX_SAFE_INTEGER,
        query.throughSeq ?? Number.MAX_SAFE_INTEGER,
        query.limit,
      ],
    );
    return rows.map((row) => ({
      seq: Number(row.seq),
      row: decodeRow(row.kind, row.data),
      tokens: row.tokens ?? undefined,
    }));
  }

  async insertRows(project: string, threadId: string, rows: readonly NewThreadRow[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockThread(tx, threadId);
      const runId = await activeRunId(tx, threadId);
      if (runId !== undefined) throw new ThreadBusyError(threadId, runId);
      for (const entry of rows) await upsertRow(tx, project, threadId, entry);
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
        ? { table: 'messages', where: 'thread_id = $1 AND project = $2', params: [threadId, project] }
        : {
            table: 'messages',
            where: 'thread_id = $1 AND input_of = $2 AND project = $3',
            params: [threadId, filter.inputOf, project],
          };
    return selectPage(this.db, scope, page, STORED_ROW);
  }

  async getRow(project: string, threadId: string, id: string): Promise<StoredThreadRow | undefined> {
    const row = await this.db.get<Record<string, unknown>>(
      `SELECT ${STORED_ROW.columns} FROM messages WHERE id = $1 AND thread_id = $2 AND project = $3`,
      [id, threadId, project],
    );
    return row && STORED_ROW.decode(row);
  }

  async findRow(project: string, id: string): Promise<StoredThreadRow | undefined> {
    const row = await this.db.get<Record<string, unknown>>(
      `SELECT ${STORED_ROW.columns} FROM messages WHERE id = $1 AND project = $2`,
      [id, project],
    );
    return row && STORED_ROW.decode(row);
  }

  async deleteRow(project: string, threadId: string, id: string): Promise<boolean> {
    const deleted = await this.db.run('DELETE FROM messages WHERE id = $1 AND thread_id = $2 AND project = $3', [
      id,
      threadId,
      project,
    ]);
    return deleted > 0;
  }

  async lastSeqOf(project: string, threadId: string, responseId: string): Promise<number> {
    const row = await this.db.get<{ seq: string | null }>(
      'SELECT max(seq) AS seq FROM messages WHERE thread_id = $1 AND project = $2 AND (run_id = $3 OR input_of = $3)',
      [threadId, project, responseId],
    );
    return Number(row?.seq ?? 0);
  }

  async codeInterpreterAttachments(project: string, threadId: string): Promise<string[]> {
    // jsonb_path_query is lax: messages without attachments (or with `null`) yield nothing instead of failing.
    const rows = await this.db.all<{ fileId: unknown }>(
      `SELECT jsonb_path_query(data::jsonb,
         '$.attachments[*] ? (exists(@.tools[*] ? (@.type == "code_interpreter"))).file_id') AS "fileId"
       FROM messages WHERE thread_id = $1 AND project = $2 ORDER BY seq`,
      [threadId, project],
    );
    const ids = rows.map((row) => row.fileId).filter((fileId): fileId is string => typeof fileId === 'string');
    return [...new Set(ids)];
  }

  async count(project: string, threadId: string): Promise<number> {
    // Kept by a trigger on insert/delete, so the per-create limit check is one row read.
    const row = await this.db.get<{ count: number }>(
      'SELECT message_count AS count FROM threads WHERE id = $1 AND project = $2',
      [threadId, project],
    );
    return row?.count ?? 0;
  }
}

import type { Page, PageRequest } from '../../api/pagination.js';
import type { Message, Run, RunStep } from '../../api/types.js';
import {
  type ClaimedRun,
  type NewRunEvent,
  type NewRunRecord,
  type RunChanges,
  type RunEventRecord,
  type RunRepository,
  type RunSnapshot,
  type RunStart,
  type RunState,
  type StoredRun,
  ThreadBusyError,
} from '../run-repository.js';
import { activeRunId, storeTokenCounts, upsertMessage, upsertRow } from './messages.js';
import { selectPage } from './select-page.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface RunRow {
  project: string;
  state: string;
  data: string;
}

const RUN_COLUMNS = 'project, state, data';

export class SqliteRuns implements RunRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async create(record: NewRunRecord): Promise<RunEventRecord[]> {
    return this.db.write(() => {
      const { project, thread, run } = record;
      if (thread) {
        this.db.run(
          'INSERT INTO threads (id, project, data) VALUES (?, ?, ?)',
          thread.id,
          project,
          JSON.stringify(thread),
        );
      } else {
        const busy = activeRunId(this.db, run.thread_id);
        if (busy !== undefined) throw new ThreadBusyError(run.thread_id, busy);
      }
      for (const message of record.messages) upsertMessage(this.db, project, message);
      for (const row of record.rows ?? []) upsertRow(this.db, project, record.run.thread_id, row);
      this.db.run(
        'INSERT INTO runs (id, project, thread_id, status, expires_at, state, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
        run.id,
        project,
        run.thread_id,
        run.status,
        run.expires_at,
        JSON.stringify(record.state),
        JSON.stringify(run),
      );
      return this.#append(run.id, record.events);
    });
  }

  async get(project: string, threadId: string, runId: string): Promise<StoredRun | undefined> {
    const row = this.db.get<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ? AND thread_id = ? AND project = ?`,
      runId,
      threadId,
      project,
    );
    return row && toStoredRun(row);
  }

  async getById(runId: string): Promise<StoredRun | undefined> {
    return this.#load(runId);
  }

  async delete(project: string, runId: string): Promise<boolean> {
    return this.db.write(
      () => this.db.run('DELETE FROM runs WHERE id = ? AND project = ?', runId, project).changes > 0,
    );
  }

  async list(project: string, threadId: string, page: PageRequest): Promise<Page<Run>> {
    return selectPage(
      this.db,
      { table: 'runs', where: 'thread_id = ? AND project = ?', params: [threadId, project] },
      page,
    );
  }

  async commit(runId: string, change: (current: RunSnapshot) => RunChanges | undefined): Promise<RunEventRecord[]> {
    return this.db.write(() => {
      const stored = this.#load(runId);
      if (!stored) return [];
      const current: RunSnapshot = {
        ...stored,
        stepStatus: (stepId) => this.#status<RunStep['status']>('run_steps', stepId, runId),
        messageStatus: (messageId) => this.#status<Message['status']>('messages', messageId, runId),
      };
      const changes = change(current);
      if (!changes) return [];
      this.#write(current, changes);
      return this.#append(runId, changes.events);
    });
  }

  async appendEvents(
    runId: string,
    events: readonly NewRunEvent[],
    status: Run['status'],
  ): Promise<RunEventRecord[] | undefined> {
    return this.db.write(() => {
      if (this.db.get<{ status: string }>('SELECT status FROM runs WHERE id = ?', runId)?.status !== status)
        return undefined;
      return this.#append(runId, events);
    });
  }

  async events(runId: string, afterSeq: number, limit: number): Promise<RunEventRecord[]> {
    const rows = this.db.all<{ seq: number; event: string; data: string }>(
      'SELECT seq, event, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      runId,
      afterSeq,
      limit,
    );
    return rows.map((row) => ({ seq: row.seq, runId, event: row.event, data: JSON.parse(row.data) as unknown }));
  }

  async lastEventSeq(runId: string): Promise<number> {
    return (
      this.db.get<{ seq: number | null }>('SELECT max(seq) AS seq FROM run_events WHERE run_id = ?', runId)?.seq ?? 0
    );
  }

  async getStep(project: string, threadId: string, runId: string, stepId: string): Promise<RunStep | undefined> {
    const row = this.db.get<{ data: string }>(
      `SELECT s.data FROM run_steps s JOIN runs r ON r.id = s.run_id
       WHERE s.id = ? AND s.run_id = ? AND r.thread_id = ? AND s.project = ?`,
      stepId,
      runId,
      threadId,
      project,
    );
    return row && (JSON.parse(row.data) as RunStep);
  }

  async listSteps(project: string, threadId: string, runId: string, page: PageRequest): Promise<Page<RunStep>> {
    return selectPage(
      this.db,
      {
        table: 'run_steps',
        where:
          'run_id = ? AND project = ? AND EXISTS (SELECT 1 FROM runs WHERE runs.id = run_steps.run_id AND runs.thread_id = ?)',
        params: [runId, project, threadId],
      },
      page,
    );
  }

  async claimQueued(
    owner: string,
    leaseUntil: number,
    now: number,
    start: (current: StoredRun) => RunStart,
  ): Promise<ClaimedRun | undefined> {
    return this.db.write(() => {
      const row = this.db.get<{ id: string }>(
        `SELECT id FROM runs WHERE status = 'queued' AND (lease_owner IS NULL OR (lease_owner != ? AND lease_until < ?))
         ORDER BY seq LIMIT 1`,
        owner,
        now,
      );
      if (!row) return undefined;
      const current = this.#load(row.id)!;
      const started = start(current);
      const state = started.state ?? current.state;
      this.db.run(
        'UPDATE runs SET lease_owner = ?, lease_until = ?, status = ?, expires_at = ?, state = ?, data = ? WHERE id = ?',
        owner,
        leaseUntil,
        started.run.status,
        started.run.expires_at,
        JSON.stringify(state),
        JSON.stringify(started.run),
        row.id,
      );
      const records = this.#append(row.id, started.events);
      return { stored: { project: current.project, run: started.run, state }, records };
    });
  }

  async renewLeases(owner: string, runIds: readonly string[], leaseUntil: number): Promise<void> {
    if (runIds.length === 0) return;
    await this.db.write(() =>
      this.db.run(
        'UPDATE runs SET lease_until = ? WHERE lease_owner = ? AND id IN (SELECT value FROM json_each(?))',
        leaseUntil,
        owner,
        JSON.stringify(runIds),
      ),
    );
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
        runId,
        owner,
      ),
    );
  }

  async cancelling(runIds: readonly string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    return this.db
      .all<{ id: string }>(
        "SELECT id FROM runs WHERE status = 'cancelling' AND id IN (SELECT value FROM json_each(?))",
        JSON.stringify(runIds),
      )
      .map((row) => row.id);
  }

  async orphaned(now: number): Promise<StoredRun[]> {
    const rows = this.db.all<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE status IN ('in_progress', 'cancelling') AND (lease_until IS NULL OR lease_until < ?) ORDER BY seq`,
      now,
    );
    return rows.map(toStoredRun);
  }

  async expired(nowSeconds: number): Promise<StoredRun[]> {
    const rows = this.db.all<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE status IN ('queued', 'requires_action') AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY seq`,
      nowSeconds,
    );
    return rows.map(toStoredRun);
  }

  async countByStatus(): Promise<Partial<Record<Run['status'], number>>> {
    // Reads only the runs_by_status index.
    const rows = this.db.all<{ status: Run['status']; count: number }>(
      'SELECT status, count(*) AS count FROM runs GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  #status<T extends string>(table: 'run_steps' | 'messages', id: string, runId: string): T | undefined {
    const sql = `SELECT json_extract(data, '$.status') AS status FROM ${table} WHERE id = ? AND run_id = ?`;
    return this.db.get<{ status: T }>(sql, id, runId)?.status;
  }

  #load(runId: string): StoredRun | undefined {
    const row = this.db.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`, runId);
    return row && toStoredRun(row);
  }

  #write(current: StoredRun, changes: RunChanges): void {
    const { project, run } = current;
    if (changes.run || changes.state) {
      const next = changes.run ?? run;
      this.db.run(
        'UPDATE runs SET status = ?, expires_at = ?, state = ?, data = ? WHERE id = ?',
        next.status,
        next.expires_at,
        JSON.stringify(changes.state ?? current.state),
        JSON.stringify(next),
        run.id,
      );
    }
    for (const step of changes.steps ?? []) {
      this.db.run(
        `INSERT INTO run_steps (id, project, run_id, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
        step.id,
        project,
        run.id,
        JSON.stringify(step),
      );
    }
    for (const message of changes.messages ?? []) upsertMessage(this.db, project, message);
    for (const item of changes.items ?? []) {
      upsertRow(this.db, project, run.thread_id, { row: { kind: 'item', item }, runId: run.id });
    }
    if (changes.tokenCounts) {
      storeTokenCounts(this.db, project, changes.tokenCounts.encoding, changes.tokenCounts.counts);
    }
  }

  #append(runId: string, events: readonly NewRunEvent[]): RunEventRecord[] {
    return events.map((entry) => {
      const result = this.db.run(
        'INSERT INTO run_events (run_id, event, data) VALUES (?, ?, ?)',
        runId,
        entry.event,
        JSON.stringify(entry.data),
      );
      return { seq: Number(result.lastInsertRowid), runId, event: entry.event, data: entry.data };
    });
  }
}

function toStoredRun(row: RunRow): StoredRun {
  return { project: row.project, run: JSON.parse(row.data) as Run, state: JSON.parse(row.state) as RunState };
}

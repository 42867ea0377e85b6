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
import { SIGNAL } from '../store.js';
import { activeRunId, lockThread, storeTokenCounts, upsertMessage, upsertRow } from './messages.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { selectPage } from './select-page.js';

interface RunRow {
  project: string;
  state: string;
  data: string;
}

const RUN_COLUMNS = 'project, state, data';

/**
 * Runs on PostgreSQL. Every write to a run's rows or its event log holds the run's row lock (and, when messages
 * may be written, the thread's row first), so one run's events are committed in `seq` order and a stream that
 * reads `seq > cursor` never skips one. Each append NOTIFYs `run_events`, delivered when the transaction commits,
 * so streams in other processes read the log right away.
 */
export class PgRuns implements RunRepository {
  constructor(
    private readonly db: PgDatabase,
    /** Names this process in notifications, so it can ignore its own (it tells its streams directly). */
    private readonly origin: string,
  ) {}

  async create(record: NewRunRecord): Promise<RunEventRecord[]> {
    const { project, thread, run } = record;
    try {
      return await this.db
        .transaction(async (tx) => {
          if (thread) {
            await tx.run('INSERT INTO threads (id, project, data) VALUES ($1, $2, $3)', [
              thread.id,
              project,
              JSON.stringify(thread),
            ]);
          } else {
            await lockThread(tx, run.thread_id);
            const busy = await activeRunId(tx, run.thread_id);
            if (busy !== undefined) throw new ThreadBusyError(run.thread_id, busy);
          }
          for (const message of record.messages) await upsertMessage(tx, project, message);
          for (const row of record.rows ?? []) await upsertRow(tx, project, record.run.thread_id, row);
          await tx.run(
            `INSERT INTO runs (id, project, thread_id, status, expires_at, state, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              run.id,
              project,
              run.thread_id,
              run.status,
              run.expires_at,
              JSON.stringify(record.state),
              JSON.stringify(run),
            ],
          );
          return this.#append(tx, run.id, record.events);
        })
        .then((records) => this.#announced(run.id, records));
    } catch (error) {
      // The thread lock makes this rare; the unique index is the last word on one active run per thread.
      if ((error as { constraint?: string }).constraint === 'runs_one_active_per_thread') {
        throw new ThreadBusyError(run.thread_id, (await activeRunId(this.db, run.thread_id)) ?? 'unknown');
      }
      throw error;
    }
  }

  async get(project: string, threadId: string, runId: string): Promise<StoredRun | undefined> {
    const row = await this.db.get<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 AND thread_id = $2 AND project = $3`,
      [runId, threadId, project],
    );
    return row && toStoredRun(row);
  }

  async getById(runId: string): Promise<StoredRun | undefined> {
    const row = await this.db.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [runId]);
    return row && toStoredRun(row);
  }

  async delete(project: string, runId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM runs WHERE id = $1 AND project = $2', [runId, project])) > 0;
  }

  async list(project: string, threadId: string, page: PageRequest): Promise<Page<Run>> {
    return selectPage(
      this.db,
      { table: 'runs', where: 'thread_id = $1 AND project = $2', params: [threadId, project] },
      page,
    );
  }

  async commit(runId: string, change: (current: RunSnapshot) => RunChanges | undefined): Promise<RunEventRecord[]> {
    const records = await this.db.transaction(async (tx) => {
      const located = await tx.get<{ thread_id: string }>('SELECT thread_id FROM runs WHERE id = $1', [runId]);
      if (!located) return [];
      // The thread before the run: the order every writer takes them in.
      await lockThread(tx, located.thread_id);
      const row = await tx.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1 FOR NO KEY UPDATE`, [runId]);
      if (!row) return [];
      const stored = toStoredRun(row);
      const stepStatuses = await statuses(tx, 'SELECT id, data FROM run_steps WHERE run_id = $1', [runId]);
      const messageStatuses = await statuses(tx, 'SELECT id, data FROM messages WHERE thread_id = $1 AND run_id = $2', [
        located.thread_id,
        runId,
      ]);
      const current: RunSnapshot = {
        ...stored,
        stepStatus: (stepId) => stepStatuses.get(stepId) as RunStep['status'] | undefined,
        messageStatus: (messageId) => messageStatuses.get(messageId) as Message['status'] | undefined,
      };
      const changes = change(current);
      if (!changes) return [];
      await this.#write(tx, current, changes);
      return this.#append(tx, runId, changes.events);
    });
    return this.#announced(runId, records);
  }

  async appendEvents(
    runId: string,
    events: readonly NewRunEvent[],
    status: Run['status'],
  ): Promise<RunEventRecord[] | undefined> {
    if (events.length === 0) {
      const row = await this.db.get<{ status: string }>('SELECT status FROM runs WHERE id = $1', [runId]);
      return row?.status === status ? [] : undefined;
    }
    // The cheap path of every streamed delta: one statement, so one round trip. The run's row lock (taken in the
    // statement, held to its end) orders the append with the run's other writes; no row means another status.
    const rows = await this.db.all<{ seq: number }>(
      `WITH run AS (SELECT id FROM runs WHERE id = $1 AND status = $2 FOR NO KEY UPDATE)
       INSERT INTO run_events (run_id, event, data)
       SELECT run.id, entry.event, entry.data
       FROM run, unnest($3::text[], $4::text[]) WITH ORDINALITY AS entry (event, data, n)
       ORDER BY entry.n
       RETURNING seq`,
      [runId, status, events.map((entry) => entry.event), events.map((entry) => JSON.stringify(entry.data))],
    );
    if (rows.length === 0) return undefined;
    return this.#announced(runId, toRecords(runId, events, rows));
  }

  async events(runId: string, afterSeq: number, limit: number): Promise<RunEventRecord[]> {
    const rows = await this.db.all<{ seq: number; event: string; data: string }>(
      'SELECT seq, event, data FROM run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [runId, afterSeq, limit],
    );
    return rows.map((row) => ({ seq: row.seq, runId, event: row.event, data: JSON.parse(row.data) as unknown }));
  }

  async lastEventSeq(runId: string): Promise<number> {
    const row = await this.db.get<{ seq: number | null }>('SELECT max(seq) AS seq FROM run_events WHERE run_id = $1', [
      runId,
    ]);
    return row?.seq ?? 0;
  }

  async getStep(project: string, threadId: string, runId: string, stepId: string): Promise<RunStep | undefined> {
    const row = await this.db.get<{ data: string }>(
      `SELECT s.data FROM run_steps s JOIN runs r ON r.id = s.run_id
       WHERE s.id = $1 AND s.run_id = $2 AND r.thread_id = $3 AND s.project = $4`,
      [stepId, runId, threadId, project],
    );
    return row && (JSON.parse(row.data) as RunStep);
  }

  async listSteps(project: string, threadId: string, runId: string, page: PageRequest): Promise<Page<RunStep>> {
    return selectPage(
      this.db,
      {
        table: 'run_steps',
        where:
          'run_id = $1 AND project = $2 AND EXISTS (SELECT 1 FROM runs WHERE runs.id = run_steps.run_id AND runs.thread_id = $3)',
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
    const claimed = await this.db.transaction(async (tx) => {
      // SKIP LOCKED: workers claiming at once each take a different run instead of queueing on the same row.
      // A thread whose live code_interpreter session another worker holds waits for that worker (code_sessions), as
      // does a response whose container's session (keyed by the container id) another worker holds.
      // The run's row lock, held to the commit, orders the start's events before any other write of the run; the
      // thread is not locked (a start writes no message), so no writer waits on the thread while holding the run.
      const row = await tx.get<RunRow & { id: string }>(
        `UPDATE runs SET lease_owner = $1, lease_until = $2
         WHERE id = (
           SELECT id FROM runs
           WHERE status = 'queued' AND (lease_owner IS NULL OR (lease_owner <> $1 AND lease_until < $3))
             AND NOT EXISTS (
               SELECT 1 FROM code_sessions s
               WHERE s.thread_id IN (runs.thread_id, runs.state::jsonb #>> '{response,containerId}')
                 AND s.owner <> $1 AND s.until >= $3
             )
           ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED
         )
         RETURNING id, ${RUN_COLUMNS}`,
        [owner, leaseUntil, now],
      );
      if (!row) return undefined;
      const current = toStoredRun(row);
      const started = start(current);
      const state = started.state ?? current.state;
      // The run row and the start's events in one statement: one round trip.
      const rows = await tx.all<{ seq: number }>(
        `WITH started AS (
           UPDATE runs SET status = $2, expires_at = $3, state = $4, data = $5 WHERE id = $1 RETURNING id
         )
         INSERT INTO run_events (run_id, event, data)
         SELECT started.id, entry.event, entry.data
         FROM started, unnest($6::text[], $7::text[]) WITH ORDINALITY AS entry (event, data, n)
         ORDER BY entry.n
         RETURNING seq`,
        [
          row.id,
          started.run.status,
          started.run.expires_at,
          JSON.stringify(state),
          JSON.stringify(started.run),
          started.events.map((entry) => entry.event),
          started.events.map((entry) => JSON.stringify(entry.data)),
        ],
      );
      return {
        stored: { project: current.project, run: started.run, state },
        records: toRecords(row.id, started.events, rows),
      };
    });
    if (claimed) this.#announced(claimed.stored.run.id, claimed.records);
    return claimed;
  }

  async renewLeases(owner: string, runIds: readonly string[], leaseUntil: number): Promise<void> {
    if (runIds.length === 0) return;
    await this.db.run('UPDATE runs SET lease_until = $1 WHERE lease_owner = $2 AND id = ANY($3::text[])', [
      leaseUntil,
      owner,
      runIds,
    ]);
  }

  async releaseLease(runId: string, owner: string): Promise<void> {
    await this.db.run('UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [
      runId,
      owner,
    ]);
  }

  async cancelling(runIds: readonly string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const rows = await this.db.all<{ id: string }>(
      "SELECT id FROM runs WHERE status = 'cancelling' AND id = ANY($1::text[])",
      [runIds],
    );
    return rows.map((row) => row.id);
  }

  async orphaned(now: number): Promise<StoredRun[]> {
    const rows = await this.db.all<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs
       WHERE status IN ('in_progress', 'cancelling') AND (lease_until IS NULL OR lease_until < $1) ORDER BY seq`,
      [now],
    );
    return rows.map(toStoredRun);
  }

  async expired(nowSeconds: number): Promise<StoredRun[]> {
    const rows = await this.db.all<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs
       WHERE status IN ('queued', 'requires_action') AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY seq`,
      [nowSeconds],
    );
    return rows.map(toStoredRun);
  }

  async countByStatus(): Promise<Partial<Record<Run['status'], number>>> {
    const rows = await this.db.all<{ status: Run['status']; count: number }>(
      'SELECT status, count(*) AS count FROM runs GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  async #write(tx: PgQueryable, current: StoredRun, changes: RunChanges): Promise<void> {
    const { project, run } = current;
    if (changes.run || changes.state) {
      const next = changes.run ?? run;
      await tx.run('UPDATE runs SET status = $1, expires_at = $2, state = $3, data = $4 WHERE id = $5', [
        next.status,
        next.expires_at,
        JSON.stringify(changes.state ?? current.state),
        JSON.stringify(next),
        run.id,
      ]);
    }
    for (const step of changes.steps ?? []) {
      await tx.run(
        `INSERT INTO run_steps (id, project, run_id, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
        [step.id, project, run.id, JSON.stringify(step)],
      );
    }
    for (const message of changes.messages ?? []) await upsertMessage(tx, project, message);
    for (const item of changes.items ?? []) {
      await upsertRow(tx, project, run.thread_id, { row: { kind: 'item', item }, runId: run.id });
    }
    if (changes.tokenCounts) {
      await storeTokenCounts(tx, project, changes.tokenCounts.encoding, changes.tokenCounts.counts);
    }
  }

  async #append(tx: PgQueryable, runId: string, events: readonly NewRunEvent[]): Promise<RunEventRecord[]> {
    if (events.length === 0) return [];
    const rows = await tx.all<{ seq: number }>(
      `INSERT INTO run_events (run_id, event, data)
       SELECT $1, entry.event, entry.data FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS entry (event, data, n)
       ORDER BY entry.n
       RETURNING seq`,
      [runId, events.map((entry) => entry.event), events.map((entry) => JSON.stringify(entry.data))],
    );
    return toRecords(runId, events, rows);
  }

  /**
   * Tells the other processes, once committed, that the run's log grew. The announcements of one event-loop turn
   * go out together in one statement: a transaction that notifies holds a cluster-wide lock through its commit, so
   * a NOTIFY inside every append serialized all commits (measured: half of a 1,000-run burst's time).
   */
  #announced(runId: string, records: RunEventRecord[]): RunEventRecord[] {
    if (records.length > 0) this.#queueAnnouncement(runId);
    return records;
  }

  #queueAnnouncement(runId: string): void {
    this.#toAnnounce.add(runId);
    if (this.#toAnnounce.size === 1) setImmediate(() => this.#announce());
  }

  readonly #toAnnounce = new Set<string>();

  #announce(): void {
    const runIds = [...this.#toAnnounce];
    this.#toAnnounce.clear();
    const payloads = runIds.map((runId) => `${runId} ${this.origin}`);
    this.db
      .run('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [SIGNAL.runEvents, payloads])
      .catch(() => {
        // The database is unreachable for now: try again shortly, so streams elsewhere do not wait for ever.
        setTimeout(() => {
          for (const runId of runIds) this.#queueAnnouncement(runId);
        }, 1_000).unref();
      });
  }
}

/** The appended events with their seqs (identity values follow insertion order, which follows `n`). */
function toRecords(runId: string, events: readonly NewRunEvent[], rows: ReadonlyArray<{ seq: number }>) {
  const seqs = rows.map((row) => row.seq).sort((a, b) => a - b);
  return events.map((entry, index) => ({ seq: seqs[index]!, runId, event: entry.event, data: entry.data }));
}

/** The stored status of each of the run's steps or messages (`sql` selects their id and data). */
async function statuses(tx: PgQueryable, sql: string, params: unknown[]): Promise<Map<string, string>> {
  const rows = await tx.all<{ id: string; data: string }>(sql, params);
  return new Map(rows.map((row) => [row.id, (JSON.parse(row.data) as { status: string }).status]));
}

function toStoredRun(row: RunRow): StoredRun {
  return { project: row.project, run: JSON.parse(row.data) as Run, state: JSON.parse(row.state) as RunState };
}

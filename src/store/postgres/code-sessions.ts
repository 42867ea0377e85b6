import type { CodeSessionRepository } from '../store.js';
import type { PgDatabase } from './pg-database.js';

/**
 * Which worker holds each thread's live code_interpreter session (`code_sessions`), so `PgRuns.claimQueued` leaves
 * the thread's runs to that worker while its record is fresh. Records are renewed with the worker's leases; a dead
 * worker's run out, and the next worker to open a session for the thread learns the earlier one was lost.
 */
export class PgCodeSessions implements CodeSessionRepository {
  constructor(private readonly db: PgDatabase) {}

  async hold(threadId: string, owner: string, until: number): Promise<{ replaced: boolean }> {
    return this.db.transaction(async (tx) => {
      const previous = await tx.get<{ owner: string }>(
        'SELECT owner FROM code_sessions WHERE thread_id = $1 FOR UPDATE',
        [threadId],
      );
      await tx.run(
        `INSERT INTO code_sessions (thread_id, owner, until) VALUES ($1, $2, $3)
         ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, until = excluded.until`,
        [threadId, owner, until],
      );
      return { replaced: previous !== undefined && previous.owner !== owner };
    });
  }

  async renew(owner: string, threadIds: readonly string[], until: number): Promise<void> {
    if (threadIds.length === 0) return;
    await this.db.run('UPDATE code_sessions SET until = $1 WHERE owner = $2 AND thread_id = ANY($3::text[])', [
      until,
      owner,
      threadIds,
    ]);
  }

  async release(threadId: string, owner: string): Promise<void> {
    await this.db.run('DELETE FROM code_sessions WHERE thread_id = $1 AND owner = $2', [threadId, owner]);
  }

  async abandon(owner: string): Promise<void> {
    await this.db.run('UPDATE code_sessions SET until = 0 WHERE owner = $1', [owner]);
  }
}

import type { Message, Thread } from '../../api/types.js';
import type { ThreadRepository } from '../store.js';
import { upsertMessage } from './messages.js';
import type { PgDatabase } from './pg-database.js';

export class PgThreads implements ThreadRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(project: string, thread: Thread, messages: readonly Message[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO threads (id, project, data) VALUES ($1, $2, $3)', [
        thread.id,
        project,
        JSON.stringify(thread),
      ]);
      for (const message of messages) await upsertMessage(tx, project, message);
    });
  }

  async get(project: string, id: string): Promise<Thread | undefined> {
    const row = await this.db.get<{ data: string }>('SELECT data FROM threads WHERE id = $1 AND project = $2', [
      id,
      project,
    ]);
    return row && (JSON.parse(row.data) as Thread);
  }

  async update(project: string, thread: Thread): Promise<void> {
    await this.db.run('UPDATE threads SET data = $1 WHERE id = $2 AND project = $3', [
      JSON.stringify(thread),
      thread.id,
      project,
    ]);
  }

  async delete(project: string, id: string): Promise<boolean> {
    // Messages, runs, steps and events go with the thread through ON DELETE CASCADE, in the same statement.
    return (await this.db.run('DELETE FROM threads WHERE id = $1 AND project = $2', [id, project])) > 0;
  }
}

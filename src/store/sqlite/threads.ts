import type { Message, Thread } from '../../api/types.js';
import type { ThreadRepository } from '../store.js';
import { upsertMessage } from './messages.js';
import type { SqliteDatabase } from './sqlite-database.js';

export class SqliteThreads implements ThreadRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, thread: Thread, messages: readonly Message[]): Promise<void> {
    await this.db.write(() => {
      this.db.run(
        'INSERT INTO threads (id, project, data) VALUES (?, ?, ?)',
        thread.id,
        project,
        JSON.stringify(thread),
      );
      for (const message of messages) upsertMessage(this.db, project, message);
    });
  }

  async get(project: string, id: string): Promise<Thread | undefined> {
    const row = this.db.get<{ data: string }>('SELECT data FROM threads WHERE id = ? AND project = ?', id, project);
    return row && (JSON.parse(row.data) as Thread);
  }

  async update(project: string, thread: Thread): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE threads SET data = ? WHERE id = ? AND project = ?',
        JSON.stringify(thread),
        thread.id,
        project,
      ),
    );
  }

  async delete(project: string, id: string): Promise<boolean> {
    // Messages go with the thread through ON DELETE CASCADE, in the same statement.
    return (
      (await this.db.write(() => this.db.run('DELETE FROM threads WHERE id = ? AND project = ?', id, project)))
        .changes > 0
    );
  }
}

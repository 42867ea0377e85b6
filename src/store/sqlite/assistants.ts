import type { Page, PageRequest } from '../../api/pagination.js';
import type { Assistant } from '../../api/types.js';
import type { AssistantRepository } from '../store.js';
import { selectPage } from './select-page.js';
import type { SqliteDatabase } from './sqlite-database.js';

export class SqliteAssistants implements AssistantRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, assistant: Assistant): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'INSERT INTO assistants (id, project, data) VALUES (?, ?, ?)',
        assistant.id,
        project,
        JSON.stringify(assistant),
      ),
    );
  }

  async get(project: string, id: string): Promise<Assistant | undefined> {
    const row = this.db.get<{ data: string }>('SELECT data FROM assistants WHERE id = ? AND project = ?', id, project);
    return row && (JSON.parse(row.data) as Assistant);
  }

  async update(project: string, assistant: Assistant): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE assistants SET data = ? WHERE id = ? AND project = ?',
        JSON.stringify(assistant),
        assistant.id,
        project,
      ),
    );
  }

  async delete(project: string, id: string): Promise<boolean> {
    return (
      (await this.db.write(() => this.db.run('DELETE FROM assistants WHERE id = ? AND project = ?', id, project)))
        .changes > 0
    );
  }

  async list(project: string, page: PageRequest): Promise<Page<Assistant>> {
    return selectPage(this.db, { table: 'assistants', where: 'project = ?', params: [project] }, page);
  }
}

import type { Page, PageRequest } from '../../api/pagination.js';
import type { Assistant } from '../../api/types.js';
import type { AssistantRepository } from '../store.js';
import type { PgDatabase } from './pg-database.js';
import { selectPage } from './select-page.js';

export class PgAssistants implements AssistantRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(project: string, assistant: Assistant): Promise<void> {
    await this.db.run('INSERT INTO assistants (id, project, data) VALUES ($1, $2, $3)', [
      assistant.id,
      project,
      JSON.stringify(assistant),
    ]);
  }

  async get(project: string, id: string): Promise<Assistant | undefined> {
    const row = await this.db.get<{ data: string }>('SELECT data FROM assistants WHERE id = $1 AND project = $2', [
      id,
      project,
    ]);
    return row && (JSON.parse(row.data) as Assistant);
  }

  async update(project: string, assistant: Assistant): Promise<void> {
    await this.db.run('UPDATE assistants SET data = $1 WHERE id = $2 AND project = $3', [
      JSON.stringify(assistant),
      assistant.id,
      project,
    ]);
  }

  async delete(project: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM assistants WHERE id = $1 AND project = $2', [id, project])) > 0;
  }

  async list(project: string, page: PageRequest): Promise<Page<Assistant>> {
    return selectPage(this.db, { table: 'assistants', where: 'project = $1', params: [project] }, page);
  }
}

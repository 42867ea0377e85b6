import type { Container, ContainerFile } from '../../api/container-objects.js';
import type { Page, PageRequest } from '../../api/pagination.js';
import type { ContainerRepository, ExpiredContainer, StoredContainerFile } from '../container-repository.js';
import { selectPage } from './select-page.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** A container that can be used now: running and not yet past its expiry. */
const LIVE = "status = 'running' AND expires_at > ?";

interface FileRow {
  data: string;
  blob_key: string;
}

const expiryOf = (container: Container): number => container.last_active_at + container.expires_after.minutes * 60;

const toStoredFile = (row: FileRow): StoredContainerFile => ({
  file: JSON.parse(row.data) as ContainerFile,
  blobKey: row.blob_key,
});

export class SqliteContainers implements ContainerRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, container: Container, files: readonly StoredContainerFile[]): Promise<void> {
    await this.db.write(() => {
      this.db.run(
        `INSERT INTO containers (id, project, name, status, expires_at, data) VALUES (?, ?, ?, ?, ?, ?)`,
        container.id,
        project,
        container.name,
        container.status,
        expiryOf(container),
        JSON.stringify(container),
      );
      for (const stored of files) this.#insertFileRow(project, stored);
    });
  }

  async get(project: string, id: string): Promise<Container | undefined> {
    const row = this.db.get<{ data: string }>('SELECT data FROM containers WHERE id = ? AND project = ?', id, project);
    return row && (JSON.parse(row.data) as Container);
  }

  async list(project: string, page: PageRequest, filter: { name?: string } = {}): Promise<Page<Container>> {
    const scope =
      filter.name === undefined
        ? { table: 'containers', where: 'project = ?', params: [project] }
        : { table: 'containers', where: 'project = ? AND name = ?', params: [project, filter.name] };
    return selectPage(this.db, scope, page);
  }

  async touch(project: string, id: string, now: number): Promise<Container | undefined> {
    return this.db.write(() => {
      const row = this.db.get<{ data: string }>(
        `SELECT data FROM containers WHERE id = ? AND project = ? AND ${LIVE}`,
        id,
        project,
        now,
      );
      if (!row) return undefined;
      const container: Container = { ...(JSON.parse(row.data) as Container), last_active_at: now };
      this.db.run(
        'UPDATE containers SET data = ?, expires_at = ? WHERE id = ?',
        JSON.stringify(container),
        expiryOf(container),
        id,
      );
      return container;
    });
  }

  async expireDue(now: number, only?: { project: string; id?: string }): Promise<ExpiredContainer[]> {
    const conditions = ["status = 'running'", 'expires_at <= ?'];
    const params: unknown[] = [now];
    if (only) {
      conditions.push('project = ?');
      params.push(only.project);
      if (only.id !== undefined) {
        conditions.push('id = ?');
        params.push(only.id);
      }
    }
    const due = `SELECT id, project, data FROM containers WHERE ${conditions.join(' AND ')}`;
    // The sweep comes by every few seconds and mostly finds nothing: it takes the write lock only when it will write.
    if (!this.db.get(`${due} LIMIT 1`, ...params)) return [];
    return this.db.write(() => {
      const rows = this.db.all<{ id: string; project: string; data: string }>(due, ...params);
      return rows.map((row) => {
        const container: Container = { ...(JSON.parse(row.data) as Container), status: 'expired' };
        this.db.run(
          "UPDATE containers SET status = 'expired', data = ? WHERE id = ?",
          JSON.stringify(container),
          row.id,
        );
        return { project: row.project, id: row.id, blobKeys: this.#deleteFiles(row.id) };
      });
    });
  }

  async delete(project: string, id: string): Promise<string[] | undefined> {
    return this.db.write(() => {
      const found = this.db.get<{ id: string }>('SELECT id FROM containers WHERE id = ? AND project = ?', id, project);
      if (!found) return undefined;
      const blobKeys = this.#deleteFiles(id);
      this.db.run('DELETE FROM containers WHERE id = ?', id);
      return blobKeys;
    });
  }

  async insertFile(project: string, stored: StoredContainerFile, now: number): Promise<string[] | undefined> {
    const { container_id: containerId, path } = stored.file;
    return this.db.write(() => {
      const live = this.db.get<{ id: string }>(
        `SELECT id FROM containers WHERE id = ? AND project = ? AND ${LIVE}`,
        containerId,
        project,
        now,
      );
      if (!live) return undefined;
      const replaced = this.db.all<{ blob_key: string }>(
        'DELETE FROM container_files WHERE container_id = ? AND path = ? RETURNING blob_key',
        containerId,
        path,
      );
      this.#insertFileRow(project, stored);
      return replaced.map((row) => row.blob_key);
    });
  }

  async getFile(project: string, containerId: string, fileId: string): Promise<StoredContainerFile | undefined> {
    const row = this.db.get<FileRow>(
      'SELECT data, blob_key FROM container_files WHERE id = ? AND container_id = ? AND project = ?',
      fileId,
      containerId,
      project,
    );
    return row && toStoredFile(row);
  }

  async listFiles(project: string, containerId: string, page: PageRequest): Promise<Page<ContainerFile>> {
    const scope = {
      table: 'container_files',
      where: 'container_id = ? AND project = ?',
      params: [containerId, project],
    };
    return selectPage(this.db, scope, page);
  }

  async allFiles(project: string, containerId: string): Promise<StoredContainerFile[]> {
    return this.db
      .all<FileRow>(
        'SELECT data, blob_key FROM container_files WHERE container_id = ? AND project = ? ORDER BY seq',
        containerId,
        project,
      )
      .map(toStoredFile);
  }

  async deleteFile(project: string, containerId: string, fileId: string): Promise<string | undefined> {
    return this.db.write(
      () =>
        this.db.get<{ blob_key: string }>(
          'DELETE FROM container_files WHERE id = ? AND container_id = ? AND project = ? RETURNING blob_key',
          fileId,
          containerId,
          project,
        )?.blob_key,
    );
  }

  #insertFileRow(project: string, stored: StoredContainerFile): void {
    this.db.run(
      `INSERT INTO container_files (id, project, container_id, path, blob_key, data) VALUES (?, ?, ?, ?, ?, ?)`,
      stored.file.id,
      project,
      stored.file.container_id,
      stored.file.path,
      stored.blobKey,
      JSON.stringify(stored.file),
    );
  }

  #deleteFiles(containerId: string): string[] {
    return this.db
      .all<{ blob_key: string }>('DELETE FROM container_files WHERE container_id = ? RETURNING blob_key', containerId)
      .map((row) => row.blob_key);
  }
}

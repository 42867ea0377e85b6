import type { Container, ContainerFile } from '../../api/container-objects.js';
import type { Page, PageRequest } from '../../api/pagination.js';
import type { ContainerRepository, ExpiredContainer, StoredContainerFile } from '../container-repository.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { selectPage } from './select-page.js';

interface FileRow {
  data: string;
  blob_key: string;
}

const expiryOf = (container: Container): number => container.last_active_at + container.expires_after.minutes * 60;

const toStoredFile = (row: FileRow): StoredContainerFile => ({
  file: JSON.parse(row.data) as ContainerFile,
  blobKey: row.blob_key,
});

/**
 * The SQLite dialect's containers on PostgreSQL. Whatever reads a container and then writes it or its files locks
 * the container's row first (`FOR UPDATE`), so a touch, an expiry, a delete and new files of one container happen
 * one after another.
 */
export class PgContainers implements ContainerRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(project: string, container: Container, files: readonly StoredContainerFile[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO containers (id, project, name, status, expires_at, data) VALUES ($1, $2, $3, $4, $5, $6)',
        [container.id, project, container.name, container.status, expiryOf(container), JSON.stringify(container)],
      );
      for (const stored of files) await insertFileRow(tx, project, stored);
    });
  }

  async get(project: string, id: string): Promise<Container | undefined> {
    const row = await this.db.get<{ data: string }>('SELECT data FROM containers WHERE id = $1 AND project = $2', [
      id,
      project,
    ]);
    return row && (JSON.parse(row.data) as Container);
  }

  async list(project: string, page: PageRequest, filter: { name?: string } = {}): Promise<Page<Container>> {
    const scope =
      filter.name === undefined
        ? { table: 'containers', where: 'project = $1', params: [project] }
        : { table: 'containers', where: 'project = $1 AND name = $2', params: [project, filter.name] };
    return selectPage(this.db, scope, page);
  }

  async touch(project: string, id: string, now: number): Promise<Container | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get<{ data: string }>(
        `SELECT data FROM containers
          WHERE id = $1 AND project = $2 AND status = 'running' AND expires_at > $3 FOR UPDATE`,
        [id, project, now],
      );
      if (!row) return undefined;
      const container: Container = { ...(JSON.parse(row.data) as Container), last_active_at: now };
      await tx.run('UPDATE containers SET data = $1, expires_at = $2 WHERE id = $3', [
        JSON.stringify(container),
        expiryOf(container),
        id,
      ]);
      return container;
    });
  }

  async expireDue(now: number, only?: { project: string; id?: string }): Promise<ExpiredContainer[]> {
    return this.db.transaction(async (tx) => {
      const conditions = ["status = 'running'", 'expires_at <= $1'];
      const params: unknown[] = [now];
      if (only) {
        params.push(only.project);
        conditions.push(`project = $${params.length}`);
        if (only.id !== undefined) {
          params.push(only.id);
          conditions.push(`id = $${params.length}`);
        }
      }
      // Rows another transaction holds (a touch, a delete) are left to the next sweep.
      const rows = await tx.all<{ id: string; project: string; data: string }>(
        `SELECT id, project, data FROM containers WHERE ${conditions.join(' AND ')} FOR UPDATE SKIP LOCKED`,
        params,
      );
      const expired: ExpiredContainer[] = [];
      for (const row of rows) {
        const container: Container = { ...(JSON.parse(row.data) as Container), status: 'expired' };
        await tx.run("UPDATE containers SET status = 'expired', data = $1 WHERE id = $2", [
          JSON.stringify(container),
          row.id,
        ]);
        expired.push({ project: row.project, id: row.id, blobKeys: await deleteFiles(tx, row.id) });
      }
      return expired;
    });
  }

  async delete(project: string, id: string): Promise<string[] | undefined> {
    return this.db.transaction(async (tx) => {
      const found = await tx.get<{ id: string }>(
        'SELECT id FROM containers WHERE id = $1 AND project = $2 FOR UPDATE',
        [id, project],
      );
      if (!found) return undefined;
      const blobKeys = await deleteFiles(tx, id);
      await tx.run('DELETE FROM containers WHERE id = $1', [id]);
      return blobKeys;
    });
  }

  async insertFile(project: string, stored: StoredContainerFile, now: number): Promise<string[] | undefined> {
    const { container_id: containerId, path } = stored.file;
    return this.db.transaction(async (tx) => {
      const live = await tx.get<{ id: string }>(
        `SELECT id FROM containers
          WHERE id = $1 AND project = $2 AND status = 'running' AND expires_at > $3 FOR UPDATE`,
        [containerId, project, now],
      );
      if (!live) return undefined;
      const replaced = await tx.all<{ blob_key: string }>(
        'DELETE FROM container_files WHERE container_id = $1 AND path = $2 RETURNING blob_key',
        [containerId, path],
      );
      await insertFileRow(tx, project, stored);
      return replaced.map((row) => row.blob_key);
    });
  }

  async getFile(project: string, containerId: string, fileId: string): Promise<StoredContainerFile | undefined> {
    const row = await this.db.get<FileRow>(
      'SELECT data, blob_key FROM container_files WHERE id = $1 AND container_id = $2 AND project = $3',
      [fileId, containerId, project],
    );
    return row && toStoredFile(row);
  }

  async listFiles(project: string, containerId: string, page: PageRequest): Promise<Page<ContainerFile>> {
    const scope = {
      table: 'container_files',
      where: 'container_id = $1 AND project = $2',
      params: [containerId, project],
    };
    return selectPage(this.db, scope, page);
  }

  async allFiles(project: string, containerId: string): Promise<StoredContainerFile[]> {
    const rows = await this.db.all<FileRow>(
      'SELECT data, blob_key FROM container_files WHERE container_id = $1 AND project = $2 ORDER BY seq',
      [containerId, project],
    );
    return rows.map(toStoredFile);
  }

  async deleteFile(project: string, containerId: string, fileId: string): Promise<string | undefined> {
    const row = await this.db.get<{ blob_key: string }>(
      'DELETE FROM container_files WHERE id = $1 AND container_id = $2 AND project = $3 RETURNING blob_key',
      [fileId, containerId, project],
    );
    return row?.blob_key;
  }
}

async function insertFileRow(tx: PgQueryable, project: string, stored: StoredContainerFile): Promise<void> {
  await tx.run(
    'INSERT INTO container_files (id, project, container_id, path, blob_key, data) VALUES ($1, $2, $3, $4, $5, $6)',
    [stored.file.id, project, stored.file.container_id, stored.file.path, stored.blobKey, JSON.stringify(stored.file)],
  );
}

async function deleteFiles(tx: PgQueryable, containerId: string): Promise<string[]> {
  const rows = await tx.all<{ blob_key: string }>(
    'DELETE FROM container_files WHERE container_id = $1 RETURNING blob_key',
    [containerId],
  );
  return rows.map((row) => row.blob_key);
}

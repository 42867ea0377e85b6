import type { Page, PageRequest } from '../../api/pagination.js';
import type { VectorStoreFile, VectorStoreFileBatch } from '../../api/types.js';
import type {
  FileCounts,
  StoredVectorStore,
  StoredVectorStoreFile,
  VectorStoreFileFilter,
  VectorStoreRepository,
} from '../vector-store-repository.js';
import { selectPage } from './select-page.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface FileRow {
  project: string;
  batch_id: string | null;
  chunking: string;
  data: string;
}

const FILE_COLUMNS = 'project, batch_id, chunking, data';

export class SqliteVectorStores implements VectorStoreRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, store: StoredVectorStore, files: readonly StoredVectorStoreFile[]): Promise<void> {
    await this.db.write(() => {
      this.db.run(
        'INSERT INTO vector_stores (id, project, expires_at, expired, data) VALUES (?, ?, ?, ?, ?)',
        store.id,
        project,
        store.expires_at ?? null,
        store.expired ? 1 : 0,
        JSON.stringify(store),
      );
      for (const file of files) this.#upsertFile(file);
    });
  }

  async get(project: string, id: string): Promise<StoredVectorStore | undefined> {
    const row = this.db.get<{ data: string }>(
      'SELECT data FROM vector_stores WHERE id = ? AND project = ?',
      id,
      project,
    );
    return row && (JSON.parse(row.data) as StoredVectorStore);
  }

  async update(project: string, store: StoredVectorStore): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE vector_stores SET data = ?, expires_at = ?, expired = ? WHERE id = ? AND project = ?',
        JSON.stringify(store),
        store.expires_at ?? null,
        store.expired ? 1 : 0,
        store.id,
        project,
      ),
    );
  }

  async delete(project: string, id: string): Promise<boolean> {
    return (
      (await this.db.write(() => this.db.run('DELETE FROM vector_stores WHERE id = ? AND project = ?', id, project)))
        .changes > 0
    );
  }

  async list(project: string, page: PageRequest): Promise<Page<StoredVectorStore>> {
    return selectPage(this.db, { table: 'vector_stores', where: 'project = ?', params: [project] }, page);
  }

  async existing(project: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.db.all<{ id: string }>(
      'SELECT id FROM vector_stores WHERE project = ? AND id IN (SELECT value FROM json_each(?))',
      project,
      JSON.stringify(ids),
    );
    return new Set(rows.map((row) => row.id));
  }

  async counts(vectorStoreId: string, batchId?: string): Promise<FileCounts & { usageBytes: number }> {
    const rows = this.db.all<{ status: string; count: number; bytes: number }>(
      `SELECT status, count(*) AS count, sum(usage_bytes) AS bytes FROM vector_store_files
       WHERE vector_store_id = ? ${batchId === undefined ? '' : 'AND batch_id = ?'} GROUP BY status`,
      ...(batchId === undefined ? [vectorStoreId] : [vectorStoreId, batchId]),
    );
    const counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0, usageBytes: 0 };
    for (const row of rows) {
      if (row.status in counts) counts[row.status as keyof FileCounts] = row.count;
      counts.total += row.count;
      if (row.status === 'completed') counts.usageBytes += row.bytes ?? 0;
    }
    return counts;
  }

  async expire(nowSeconds: number): Promise<string[]> {
    return this.db.write(() => {
      const rows = this.db.all<{ id: string; project: string; data: string }>(
        'SELECT id, project, data FROM vector_stores WHERE expired = 0 AND expires_at IS NOT NULL AND expires_at <= ?',
        nowSeconds,
      );
      for (const row of rows) {
        const store = { ...(JSON.parse(row.data) as StoredVectorStore), expired: true };
        this.db.run('UPDATE vector_stores SET expired = 1, data = ? WHERE id = ?', JSON.stringify(store), row.id);
      }
      return rows.map((row) => row.id);
    });
  }

  async touch(vectorStoreId: string, nowSeconds: number): Promise<void> {
    await this.db.write(() => {
      const row = this.db.get<{ data: string }>(
        'SELECT data FROM vector_stores WHERE id = ? AND expired = 0',
        vectorStoreId,
      );
      if (!row) return;
      const store = JSON.parse(row.data) as StoredVectorStore;
      const expiresAt = store.expires_after
        ? nowSeconds + store.expires_after.days * 86_400
        : (store.expires_at ?? null);
      const touched: StoredVectorStore = {
        ...store,
        last_active_at: nowSeconds,
        ...(store.expires_after ? { expires_at: expiresAt } : {}),
      };
      this.db.run(
        'UPDATE vector_stores SET data = ?, expires_at = ? WHERE id = ?',
        JSON.stringify(touched),
        expiresAt,
        vectorStoreId,
      );
    });
  }

  async insertFiles(files: readonly StoredVectorStoreFile[]): Promise<void> {
    await this.db.write(() => {
      for (const file of files) this.#upsertFile(file);
    });
  }

  async getFile(project: string, vectorStoreId: string, fileId: string): Promise<StoredVectorStoreFile | undefined> {
    const row = this.db.get<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM vector_store_files WHERE vector_store_id = ? AND id = ? AND project = ?`,
      vectorStoreId,
      fileId,
      project,
    );
    return row && toStoredFile(row);
  }

  async updateFile(file: StoredVectorStoreFile): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE vector_store_files SET status = ?, usage_bytes = ?, data = ? WHERE vector_store_id = ? AND id = ?',
        file.file.status,
        file.file.usage_bytes,
        JSON.stringify(file.file),
        file.file.vector_store_id,
        file.file.id,
      ),
    );
  }

  async deleteFile(project: string, vectorStoreId: string, fileId: string): Promise<boolean> {
    return (
      this.db.run(
        'DELETE FROM vector_store_files WHERE vector_store_id = ? AND id = ? AND project = ?',
        vectorStoreId,
        fileId,
        project,
      ).changes > 0
    );
  }

  async listFiles(
    project: string,
    vectorStoreId: string,
    page: PageRequest,
    filter: VectorStoreFileFilter = {},
  ): Promise<Page<VectorStoreFile>> {
    const conditions = ['vector_store_id = ?', 'project = ?'];
    const params: unknown[] = [vectorStoreId, project];
    if (filter.status !== undefined) {
      conditions.push('status = ?');
      params.push(filter.status);
    }
    if (filter.batchId !== undefined) {
      conditions.push('batch_id = ?');
      params.push(filter.batchId);
    }
    return selectPage(this.db, { table: 'vector_store_files', where: conditions.join(' AND '), params }, page);
  }

  async allFiles(vectorStoreIds: readonly string[]): Promise<StoredVectorStoreFile[]> {
    if (vectorStoreIds.length === 0) return [];
    return this.db
      .all<FileRow>(
        `SELECT ${FILE_COLUMNS} FROM vector_store_files WHERE vector_store_id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(vectorStoreIds),
      )
      .map(toStoredFile);
  }

  async filesIn(vectorStoreIds: readonly string[], fileIds: readonly string[]): Promise<StoredVectorStoreFile[]> {
    if (vectorStoreIds.length === 0 || fileIds.length === 0) return [];
    return this.db
      .all<FileRow>(
        `SELECT ${FILE_COLUMNS} FROM vector_store_files
         WHERE vector_store_id IN (SELECT value FROM json_each(?)) AND id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(vectorStoreIds),
        JSON.stringify(fileIds),
      )
      .map(toStoredFile);
  }

  async storesOfFile(project: string, fileId: string): Promise<string[]> {
    return this.db
      .all<{ vector_store_id: string }>(
        'SELECT vector_store_id FROM vector_store_files WHERE project = ? AND id = ?',
        project,
        fileId,
      )
      .map((row) => row.vector_store_id);
  }

  async claimPendingFile(owner: string, leaseUntil: number, now: number): Promise<StoredVectorStoreFile | undefined> {
    return this.db.write(() => {
      const row = this.db.get<FileRow & { seq: number }>(
        `SELECT seq, ${FILE_COLUMNS} FROM vector_store_files
         WHERE status = 'in_progress' AND (lease_owner IS NULL OR (lease_owner != ? AND lease_until < ?))
         ORDER BY seq LIMIT 1`,
        owner,
        now,
      );
      if (!row) return undefined;
      this.db.run(
        'UPDATE vector_store_files SET lease_owner = ?, lease_until = ? WHERE seq = ?',
        owner,
        leaseUntil,
        row.seq,
      );
      return toStoredFile(row);
    });
  }

  async releaseFile(vectorStoreId: string, fileId: string): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE vector_store_files SET lease_owner = NULL, lease_until = NULL WHERE vector_store_id = ? AND id = ?',
        vectorStoreId,
        fileId,
      ),
    );
  }

  async renewFileLeases(
    owner: string,
    files: ReadonlyArray<{ vectorStoreId: string; fileId: string }>,
    leaseUntil: number,
  ): Promise<void> {
    await this.db.write(() => {
      for (const { vectorStoreId, fileId } of files) {
        this.db.run(
          'UPDATE vector_store_files SET lease_until = ? WHERE vector_store_id = ? AND id = ? AND lease_owner = ?',
          leaseUntil,
          vectorStoreId,
          fileId,
          owner,
        );
      }
    });
  }

  async countFilesInProgress(): Promise<number> {
    const sql = "SELECT count(*) AS count FROM vector_store_files WHERE status = 'in_progress'";
    return this.db.get<{ count: number }>(sql)?.count ?? 0;
  }

  async insertBatch(
    project: string,
    batch: VectorStoreFileBatch,
    files: readonly StoredVectorStoreFile[],
  ): Promise<void> {
    await this.db.write(() => {
      this.db.run(
        'INSERT INTO vector_store_file_batches (id, project, vector_store_id, data) VALUES (?, ?, ?, ?)',
        batch.id,
        project,
        batch.vector_store_id,
        JSON.stringify(batch),
      );
      for (const file of files) this.#upsertFile(file);
    });
  }

  async getBatch(project: string, vectorStoreId: string, batchId: string): Promise<VectorStoreFileBatch | undefined> {
    const row = this.db.get<{ data: string }>(
      'SELECT data FROM vector_store_file_batches WHERE id = ? AND vector_store_id = ? AND project = ?',
      batchId,
      vectorStoreId,
      project,
    );
    return row && (JSON.parse(row.data) as VectorStoreFileBatch);
  }

  async updateBatch(project: string, batch: VectorStoreFileBatch): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'UPDATE vector_store_file_batches SET data = ? WHERE id = ? AND project = ?',
        JSON.stringify(batch),
        batch.id,
        project,
      ),
    );
  }

  async cancelBatchFiles(vectorStoreId: string, batchId: string): Promise<string[]> {
    return this.db.write(() => {
      const rows = this.db.all<{ id: string; data: string }>(
        "SELECT id, data FROM vector_store_files WHERE vector_store_id = ? AND batch_id = ? AND status = 'in_progress'",
        vectorStoreId,
        batchId,
      );
      for (const row of rows) {
        const file: VectorStoreFile = { ...(JSON.parse(row.data) as VectorStoreFile), status: 'cancelled' };
        this.db.run(
          "UPDATE vector_store_files SET status = 'cancelled', data = ? WHERE vector_store_id = ? AND id = ?",
          JSON.stringify(file),
          vectorStoreId,
          row.id,
        );
      }
      return rows.map((row) => row.id);
    });
  }

  #upsertFile(stored: StoredVectorStoreFile): void {
    const { file } = stored;
    this.db.run(
      `INSERT INTO vector_store_files (id, project, vector_store_id, batch_id, status, usage_bytes, chunking, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (vector_store_id, id) DO UPDATE SET
         seq = (SELECT max(seq) + 1 FROM vector_store_files), batch_id = excluded.batch_id, status = excluded.status,
         usage_bytes = excluded.usage_bytes, chunking = excluded.chunking, data = excluded.data,
         lease_owner = NULL, lease_until = NULL`,
      file.id,
      stored.project,
      file.vector_store_id,
      stored.batchId,
      file.status,
      file.usage_bytes,
      JSON.stringify(stored.chunking),
      JSON.stringify(file),
    );
  }
}

function toStoredFile(row: FileRow): StoredVectorStoreFile {
  return {
    project: row.project,
    file: JSON.parse(row.data) as VectorStoreFile,
    batchId: row.batch_id,
    chunking: JSON.parse(row.chunking) as StoredVectorStoreFile['chunking'],
  };
}

import type { Page, PageRequest } from '../../api/pagination.js';
import type { VectorStoreFile, VectorStoreFileBatch } from '../../api/types.js';
import type {
  FileCounts,
  StoredVectorStore,
  StoredVectorStoreFile,
  VectorStoreFileFilter,
  VectorStoreRepository,
} from '../vector-store-repository.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { selectPage } from './select-page.js';

interface FileRow {
  project: string;
  batch_id: string | null;
  chunking: string;
  data: string;
}

const FILE_COLUMNS = 'project, batch_id, chunking, data';

export class PgVectorStores implements VectorStoreRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(project: string, store: StoredVectorStore, files: readonly StoredVectorStoreFile[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO vector_stores (id, project, expires_at, expired, data) VALUES ($1, $2, $3, $4, $5)', [
        store.id,
        project,
        store.expires_at ?? null,
        store.expired,
        JSON.stringify(store),
      ]);
      for (const file of files) await upsertFile(tx, file);
    });
  }

  async get(project: string, id: string): Promise<StoredVectorStore | undefined> {
    const row = await this.db.get<{ data: string }>('SELECT data FROM vector_stores WHERE id = $1 AND project = $2', [
      id,
      project,
    ]);
    return row && (JSON.parse(row.data) as StoredVectorStore);
  }

  async update(project: string, store: StoredVectorStore): Promise<void> {
    await this.db.run(
      'UPDATE vector_stores SET data = $1, expires_at = $2, expired = $3 WHERE id = $4 AND project = $5',
      [JSON.stringify(store), store.expires_at ?? null, store.expired, store.id, project],
    );
  }

  async delete(project: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM vector_stores WHERE id = $1 AND project = $2', [id, project])) > 0;
  }

  async list(project: string, page: PageRequest): Promise<Page<StoredVectorStore>> {
    return selectPage(this.db, { table: 'vector_stores', where: 'project = $1', params: [project] }, page);
  }

  async existing(project: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.all<{ id: string }>(
      'SELECT id FROM vector_stores WHERE project = $1 AND id = ANY($2::text[])',
      [project, ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  async counts(vectorStoreId: string, batchId?: string): Promise<FileCounts & { usageBytes: number }> {
    const rows = await this.db.all<{ status: string; count: number; bytes: number | null }>(
      `SELECT status, count(*) AS count, sum(usage_bytes) AS bytes FROM vector_store_files
       WHERE vector_store_id = $1 ${batchId === undefined ? '' : 'AND batch_id = $2'} GROUP BY status`,
      batchId === undefined ? [vectorStoreId] : [vectorStoreId, batchId],
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
    return this.db.transaction(async (tx) => {
      // SKIP LOCKED: sweeps of several workers at once each expire different stores.
      const rows = await tx.all<{ id: string; data: string }>(
        `SELECT id, data FROM vector_stores WHERE NOT expired AND expires_at IS NOT NULL AND expires_at <= $1
         FOR UPDATE SKIP LOCKED`,
        [nowSeconds],
      );
      for (const row of rows) {
        const store = { ...(JSON.parse(row.data) as StoredVectorStore), expired: true };
        await tx.run('UPDATE vector_stores SET expired = true, data = $1 WHERE id = $2', [
          JSON.stringify(store),
          row.id,
        ]);
      }
      return rows.map((row) => row.id);
    });
  }

  async touch(vectorStoreId: string, nowSeconds: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await tx.get<{ data: string }>(
        'SELECT data FROM vector_stores WHERE id = $1 AND NOT expired FOR NO KEY UPDATE',
        [vectorStoreId],
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
      await tx.run('UPDATE vector_stores SET data = $1, expires_at = $2 WHERE id = $3', [
        JSON.stringify(touched),
        expiresAt,
        vectorStoreId,
      ]);
    });
  }

  async insertFiles(files: readonly StoredVectorStoreFile[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const file of files) await upsertFile(tx, file);
    });
  }

  async getFile(project: string, vectorStoreId: string, fileId: string): Promise<StoredVectorStoreFile | undefined> {
    const row = await this.db.get<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM vector_store_files WHERE vector_store_id = $1 AND id = $2 AND project = $3`,
      [vectorStoreId, fileId, project],
    );
    return row && toStoredFile(row);
  }

  async updateFile(file: StoredVectorStoreFile): Promise<void> {
    await this.db.run(
      'UPDATE vector_store_files SET status = $1, usage_bytes = $2, data = $3 WHERE vector_store_id = $4 AND id = $5',
      [file.file.status, file.file.usage_bytes, JSON.stringify(file.file), file.file.vector_store_id, file.file.id],
    );
  }

  async deleteFile(project: string, vectorStoreId: string, fileId: string): Promise<boolean> {
    const deleted = await this.db.run(
      'DELETE FROM vector_store_files WHERE vector_store_id = $1 AND id = $2 AND project = $3',
      [vectorStoreId, fileId, project],
    );
    return deleted > 0;
  }

  async listFiles(
    project: string,
    vectorStoreId: string,
    page: PageRequest,
    filter: VectorStoreFileFilter = {},
  ): Promise<Page<VectorStoreFile>> {
    const conditions = ['vector_store_id = $1', 'project = $2'];
    const params: unknown[] = [vectorStoreId, project];
    if (filter.status !== undefined) {
      params.push(filter.status);
      conditions.push(`status = $${params.length}`);
    }
    if (filter.batchId !== undefined) {
      params.push(filter.batchId);
      conditions.push(`batch_id = $${params.length}`);
    }
    return selectPage(this.db, { table: 'vector_store_files', where: conditions.join(' AND '), params }, page);
  }

  async allFiles(vectorStoreIds: readonly string[]): Promise<StoredVectorStoreFile[]> {
    if (vectorStoreIds.length === 0) return [];
    const rows = await this.db.all<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM vector_store_files WHERE vector_store_id = ANY($1::text[])`,
      [vectorStoreIds],
    );
    return rows.map(toStoredFile);
  }

  async filesIn(vectorStoreIds: readonly string[], fileIds: readonly string[]): Promise<StoredVectorStoreFile[]> {
    if (vectorStoreIds.length === 0 || fileIds.length === 0) return [];
    const rows = await this.db.all<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM vector_store_files WHERE vector_store_id = ANY($1::text[]) AND id = ANY($2::text[])`,
      [vectorStoreIds, fileIds],
    );
    return rows.map(toStoredFile);
  }

  async storesOfFile(project: string, fileId: string): Promise<string[]> {
    const rows = await this.db.all<{ vector_store_id: string }>(
      'SELECT vector_store_id FROM vector_store_files WHERE project = $1 AND id = $2',
      [project, fileId],
    );
    return rows.map((row) => row.vector_store_id);
  }

  async claimPendingFile(owner: string, leaseUntil: number, now: number): Promise<StoredVectorStoreFile | undefined> {
    // SKIP LOCKED: ingestion workers claiming at once each take a different file.
    const row = await this.db.get<FileRow>(
      `UPDATE vector_store_files SET lease_owner = $1, lease_until = $2
       WHERE seq = (
         SELECT seq FROM vector_store_files
         WHERE status = 'in_progress' AND (lease_owner IS NULL OR (lease_owner <> $1 AND lease_until < $3))
         ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED
       )
       RETURNING ${FILE_COLUMNS}`,
      [owner, leaseUntil, now],
    );
    return row && toStoredFile(row);
  }

  async releaseFile(vectorStoreId: string, fileId: string): Promise<void> {
    await this.db.run(
      'UPDATE vector_store_files SET lease_owner = NULL, lease_until = NULL WHERE vector_store_id = $1 AND id = $2',
      [vectorStoreId, fileId],
    );
  }

  async renewFileLeases(
    owner: string,
    files: ReadonlyArray<{ vectorStoreId: string; fileId: string }>,
    leaseUntil: number,
  ): Promise<void> {
    if (files.length === 0) return;
    await this.db.run(
      `UPDATE vector_store_files SET lease_until = $1
       FROM unnest($2::text[], $3::text[]) AS held (vector_store_id, id)
       WHERE vector_store_files.vector_store_id = held.vector_store_id AND vector_store_files.id = held.id
         AND lease_owner = $4`,
      [leaseUntil, files.map((file) => file.vectorStoreId), files.map((file) => file.fileId), owner],
    );
  }

  async countFilesInProgress(): Promise<number> {
    const row = await this.db.get<{ count: number }>(
      "SELECT count(*) AS count FROM vector_store_files WHERE status = 'in_progress'",
    );
    return row?.count ?? 0;
  }

  async insertBatch(
    project: string,
    batch: VectorStoreFileBatch,
    files: readonly StoredVectorStoreFile[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO vector_store_file_batches (id, project, vector_store_id, data) VALUES ($1, $2, $3, $4)',
        [batch.id, project, batch.vector_store_id, JSON.stringify(batch)],
      );
      for (const file of files) await upsertFile(tx, file);
    });
  }

  async getBatch(project: string, vectorStoreId: string, batchId: string): Promise<VectorStoreFileBatch | undefined> {
    const row = await this.db.get<{ data: string }>(
      'SELECT data FROM vector_store_file_batches WHERE id = $1 AND vector_store_id = $2 AND project = $3',
      [batchId, vectorStoreId, project],
    );
    return row && (JSON.parse(row.data) as VectorStoreFileBatch);
  }

  async updateBatch(project: string, batch: VectorStoreFileBatch): Promise<void> {
    await this.db.run('UPDATE vector_store_file_batches SET data = $1 WHERE id = $2 AND project = $3', [
      JSON.stringify(batch),
      batch.id,
      project,
    ]);
  }

  async cancelBatchFiles(vectorStoreId: string, batchId: string): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.all<{ id: string; data: string }>(
        `SELECT id, data FROM vector_store_files WHERE vector_store_id = $1 AND batch_id = $2 AND status = 'in_progress'
         FOR UPDATE`,
        [vectorStoreId, batchId],
      );
      for (const row of rows) {
        const file: VectorStoreFile = { ...(JSON.parse(row.data) as VectorStoreFile), status: 'cancelled' };
        await tx.run(
          "UPDATE vector_store_files SET status = 'cancelled', data = $1 WHERE vector_store_id = $2 AND id = $3",
          [JSON.stringify(file), vectorStoreId, row.id],
        );
      }
      return rows.map((row) => row.id);
    });
  }
}

async function upsertFile(tx: PgQueryable, stored: StoredVectorStoreFile): Promise<void> {
  const { file } = stored;
  await tx.run(
    `INSERT INTO vector_store_files (id, project, vector_store_id, batch_id, status, usage_bytes, chunking, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (vector_store_id, id) DO UPDATE SET
       seq = nextval(pg_get_serial_sequence('vector_store_files', 'seq')), batch_id = excluded.batch_id,
       status = excluded.status, usage_bytes = excluded.usage_bytes, chunking = excluded.chunking,
       data = excluded.data, lease_owner = NULL, lease_until = NULL`,
    [
      file.id,
      stored.project,
      file.vector_store_id,
      stored.batchId,
      file.status,
      file.usage_bytes,
      JSON.stringify(stored.chunking),
      JSON.stringify(file),
    ],
  );
}

function toStoredFile(row: FileRow): StoredVectorStoreFile {
  return {
    project: row.project,
    file: JSON.parse(row.data) as VectorStoreFile,
    batchId: row.batch_id,
    chunking: JSON.parse(row.chunking) as StoredVectorStoreFile['chunking'],
  };
}

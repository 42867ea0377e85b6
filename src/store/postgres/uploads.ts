import type { Upload, UploadPart } from '../../api/types.js';
import type { StoredFile, StoredUpload, StoredUploadPart, UploadRepository } from '../store.js';
import { insertFile } from './files.js';
import type { PgDatabase } from './pg-database.js';

interface UploadRow {
  data: string;
  mime_type: string;
  file_expires_after_seconds: number | null;
}

export class PgUploads implements UploadRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(project: string, stored: StoredUpload): Promise<void> {
    await this.db.run(
      `INSERT INTO uploads (id, project, status, mime_type, file_expires_after_seconds, data)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        stored.upload.id,
        project,
        stored.upload.status,
        stored.mimeType,
        stored.fileExpiresAfterSeconds ?? null,
        JSON.stringify(stored.upload),
      ],
    );
  }

  async get(project: string, id: string): Promise<StoredUpload | undefined> {
    const row = await this.db.get<UploadRow>(
      'SELECT data, mime_type, file_expires_after_seconds FROM uploads WHERE id = $1 AND project = $2',
      [id, project],
    );
    if (!row) return undefined;
    const stored: StoredUpload = { upload: JSON.parse(row.data) as Upload, mimeType: row.mime_type };
    if (row.file_expires_after_seconds !== null) stored.fileExpiresAfterSeconds = row.file_expires_after_seconds;
    return stored;
  }

  async insertPart(project: string, stored: StoredUploadPart): Promise<boolean> {
    // The pending check and the insert are one statement; FOR SHARE makes a concurrent complete or cancel
    // (which updates the upload row) wait for this insert, or this insert see it finished.
    const inserted = await this.db.run(
      `INSERT INTO upload_parts (id, project, upload_id, blob_key, bytes, data)
       SELECT $1, $2, $3, $4, $5, $6 FROM uploads
       WHERE id = $3 AND project = $2 AND status = 'pending' FOR SHARE`,
      [stored.part.id, project, stored.part.upload_id, stored.blobKey, stored.bytes, JSON.stringify(stored.part)],
    );
    return inserted > 0;
  }

  async parts(project: string, uploadId: string): Promise<StoredUploadPart[]> {
    const rows = await this.db.all<{ data: string; blob_key: string; bytes: number }>(
      'SELECT data, blob_key, bytes FROM upload_parts WHERE upload_id = $1 AND project = $2 ORDER BY seq',
      [uploadId, project],
    );
    return rows.map((row) => ({ part: JSON.parse(row.data) as UploadPart, blobKey: row.blob_key, bytes: row.bytes }));
  }

  async finish(project: string, stored: StoredUpload, file?: StoredFile): Promise<string[] | undefined> {
    const { id } = stored.upload;
    return this.db.transaction(async (tx) => {
      const updated = await tx.run(
        `UPDATE uploads SET data = $1, status = $2 WHERE id = $3 AND project = $4 AND status = 'pending'`,
        [JSON.stringify(stored.upload), stored.upload.status, id, project],
      );
      if (updated === 0) return undefined;
      if (file) await insertFile(tx, project, file);
      const parts = await tx.all<{ blob_key: string }>(
        'DELETE FROM upload_parts WHERE upload_id = $1 AND project = $2 RETURNING blob_key',
        [id, project],
      );
      return parts.map((part) => part.blob_key);
    });
  }
}

import type { Upload, UploadPart } from '../../api/types.js';
import type { StoredFile, StoredUpload, StoredUploadPart, UploadRepository } from '../store.js';
import { insertFile } from './files.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface UploadRow {
  data: string;
  mime_type: string;
  file_expires_after_seconds: number | null;
}

const IS_PENDING = "json_extract(data, '$.status') = 'pending'";

export class SqliteUploads implements UploadRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, stored: StoredUpload): Promise<void> {
    await this.db.write(() =>
      this.db.run(
        'INSERT INTO uploads (id, project, mime_type, file_expires_after_seconds, data) VALUES (?, ?, ?, ?, ?)',
        stored.upload.id,
        project,
        stored.mimeType,
        stored.fileExpiresAfterSeconds ?? null,
        JSON.stringify(stored.upload),
      ),
    );
  }

  async get(project: string, id: string): Promise<StoredUpload | undefined> {
    const row = this.db.get<UploadRow>(
      'SELECT data, mime_type, file_expires_after_seconds FROM uploads WHERE id = ? AND project = ?',
      id,
      project,
    );
    if (!row) return undefined;
    const stored: StoredUpload = { upload: JSON.parse(row.data) as Upload, mimeType: row.mime_type };
    if (row.file_expires_after_seconds !== null) stored.fileExpiresAfterSeconds = row.file_expires_after_seconds;
    return stored;
  }

  async insertPart(project: string, stored: StoredUploadPart): Promise<boolean> {
    // The pending check and the insert are one statement, so a part cannot slip in after a cancel or complete.
    const result = await this.db.write(() =>
      this.db.run(
        `INSERT INTO upload_parts (id, project, upload_id, blob_key, bytes, data)
       SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM uploads WHERE id = ? AND project = ? AND ${IS_PENDING})`,
        stored.part.id,
        project,
        stored.part.upload_id,
        stored.blobKey,
        stored.bytes,
        JSON.stringify(stored.part),
        stored.part.upload_id,
        project,
      ),
    );
    return result.changes > 0;
  }

  async parts(project: string, uploadId: string): Promise<StoredUploadPart[]> {
    const rows = this.db.all<{ data: string; blob_key: string; bytes: number }>(
      'SELECT data, blob_key, bytes FROM upload_parts WHERE upload_id = ? AND project = ? ORDER BY seq',
      uploadId,
      project,
    );
    return rows.map((row) => ({ part: JSON.parse(row.data) as UploadPart, blobKey: row.blob_key, bytes: row.bytes }));
  }

  async finish(project: string, stored: StoredUpload, file?: StoredFile): Promise<string[] | undefined> {
    const { id } = stored.upload;
    return this.db.write(() => {
      const updated = this.db.run(
        `UPDATE uploads SET data = ? WHERE id = ? AND project = ? AND ${IS_PENDING}`,
        JSON.stringify(stored.upload),
        id,
        project,
      );
      if (updated.changes === 0) return undefined;
      if (file) insertFile(this.db, project, file);
      const parts = this.db.all<{ blob_key: string }>(
        'SELECT blob_key FROM upload_parts WHERE upload_id = ? AND project = ?',
        id,
        project,
      );
      this.db.run('DELETE FROM upload_parts WHERE upload_id = ? AND project = ?', id, project);
      return parts.map((part) => part.blob_key);
    });
  }
}

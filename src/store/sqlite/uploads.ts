import type { Upload, UploadPart } from '../../api/types.js';
import type { StoredFile, StoredUpload, StoredUploadPart, UploadRepository } from '../store.js';
import { insertFile } from './files.js';
import type { SqliteDatabase } from './sqlite-database.js';

export class SqliteUploads implements UploadRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, stored: StoredUpload): Promise<void> {
    this.db.run(
      'INSERT INTO uploads (id, project, mime_type, data) VALUES (?, ?, ?, ?)',
      stored.upload.id,
      project,
      stored.mimeType,
      JSON.stringify(stored.upload),
    );
  }

  async get(project: string, id: string): Promise<StoredUpload | undefined> {
    const row = this.db.get<{ data: string; mime_type: string }>(
      'SELECT data, mime_type FROM uploads WHERE id = ? AND project = ?',
      id,
      project,
    );
    return row && { upload: JSON.parse(row.data) as Upload, mimeType: row.mime_type };
  }

  async update(project: string, stored: StoredUpload): Promise<void> {
    this.db.run('UPDATE uploads SET data = ? WHERE id = ? AND project = ?', JSON.stringify(stored.upload), stored.upload.id, project);
  }

  async insertPart(project: string, stored: StoredUploadPart): Promise<void> {
    this.db.run(
      'INSERT INTO upload_parts (id, project, upload_id, blob_key, bytes, data) VALUES (?, ?, ?, ?, ?, ?)',
      stored.part.id,
      project,
      stored.part.upload_id,
      stored.blobKey,
      stored.bytes,
      JSON.stringify(stored.part),
    );
  }

  async parts(project: string, uploadId: string): Promise<StoredUploadPart[]> {
    const rows = this.db.all<{ data: string; blob_key: string; bytes: number }>(
      'SELECT data, blob_key, bytes FROM upload_parts WHERE upload_id = ? AND project = ? ORDER BY seq',
      uploadId,
      project,
    );
    return rows.map((row) => ({ part: JSON.parse(row.data) as UploadPart, blobKey: row.blob_key, bytes: row.bytes }));
  }

  async deleteParts(project: string, uploadId: string): Promise<void> {
    this.db.run('DELETE FROM upload_parts WHERE upload_id = ? AND project = ?', uploadId, project);
  }

  async complete(project: string, stored: StoredUpload, file: StoredFile): Promise<void> {
    this.db.transaction(() => {
      insertFile(this.db, project, file);
      this.db.run('UPDATE uploads SET data = ? WHERE id = ? AND project = ?', JSON.stringify(stored.upload), stored.upload.id, project);
      this.db.run('DELETE FROM upload_parts WHERE upload_id = ? AND project = ?', stored.upload.id, project);
    });
  }
}

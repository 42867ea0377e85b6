import type { Page, PageRequest } from '../../api/pagination.js';
import type { OpenAIFile } from '../../api/types.js';
import { nowSeconds } from '../../ids.js';
import type { FileFilter, FileRepository, StoredFile } from '../store.js';
import { selectPage } from './select-page.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** A file past its `expires_at` is gone for clients; the service deletes it when next asked for it. */
const NOT_EXPIRED = '(expires_at IS NULL OR expires_at > ?)';

interface FileRow {
  data: string;
  blob_key: string;
  content_type: string;
}

export function insertFile(db: SqliteDatabase, project: string, stored: StoredFile): void {
  db.run(
    `INSERT INTO files (id, project, purpose, blob_key, content_type, bytes, expires_at, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    stored.file.id,
    project,
    stored.file.purpose,
    stored.blobKey,
    stored.contentType,
    stored.file.bytes,
    stored.file.expires_at ?? null,
    JSON.stringify(stored.file),
  );
}

export class SqliteFiles implements FileRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async insert(project: string, stored: StoredFile): Promise<void> {
    await this.db.write(() => insertFile(this.db, project, stored));
  }

  async get(project: string, id: string): Promise<StoredFile | undefined> {
    const row = this.db.get<FileRow>(
      'SELECT data, blob_key, content_type FROM files WHERE id = ? AND project = ?',
      id,
      project,
    );
    return row && { file: JSON.parse(row.data) as OpenAIFile, blobKey: row.blob_key, contentType: row.content_type };
  }

  async existing(project: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.db.all<{ id: string }>(
      `SELECT id FROM files WHERE project = ? AND ${NOT_EXPIRED} AND id IN (SELECT value FROM json_each(?))`,
      project,
      nowSeconds(),
      JSON.stringify(ids),
    );
    return new Set(rows.map((row) => row.id));
  }

  async filenames(project: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = this.db.all<{ id: string; filename: string }>(
      `SELECT id, json_extract(data, '$.filename') AS filename FROM files
       WHERE project = ? AND id IN (SELECT value FROM json_each(?))`,
      project,
      JSON.stringify(ids),
    );
    return new Map(rows.map((row) => [row.id, row.filename]));
  }

  async delete(project: string, id: string): Promise<boolean> {
    return (
      (await this.db.write(() => this.db.run('DELETE FROM files WHERE id = ? AND project = ?', id, project))).changes >
      0
    );
  }

  async list(project: string, page: PageRequest, filter: FileFilter = {}): Promise<Page<OpenAIFile>> {
    const scope =
      filter.purpose === undefined
        ? { table: 'files', where: `project = ? AND ${NOT_EXPIRED}`, params: [project, nowSeconds()] }
        : {
            table: 'files',
            where: `project = ? AND ${NOT_EXPIRED} AND purpose = ?`,
            params: [project, nowSeconds(), filter.purpose],
          };
    return selectPage(this.db, scope, page);
  }

  // Sums over the project's index: bytes live in the JSON document, so no migration was needed for them.
  async totalBytes(project: string): Promise<number> {
    const sql = `SELECT coalesce(sum(bytes), 0) AS bytes FROM files
      WHERE project = ? AND ${NOT_EXPIRED}`;
    return this.db.get<{ bytes: number }>(sql, project, nowSeconds())?.bytes ?? 0;
  }

  async bytesByProject(): Promise<Map<string, number>> {
    const rows = this.db.all<{ project: string; bytes: number }>(
      `SELECT project, sum(bytes) AS bytes FROM files WHERE ${NOT_EXPIRED} GROUP BY project`,
      nowSeconds(),
    );
    return new Map(rows.map((row) => [row.project, row.bytes]));
  }
}

import type { Page, PageRequest } from '../../api/pagination.js';
import type { OpenAIFile } from '../../api/types.js';
import { nowSeconds } from '../../ids.js';
import type { FileFilter, FileRepository, StoredFile } from '../store.js';
import type { PgDatabase, PgQueryable } from './pg-database.js';
import { selectPage } from './select-page.js';

/** A file past its `expires_at` is gone for clients; the service deletes it when next asked for it. */
const notExpired = (param: number) => `(expires_at IS NULL OR expires_at > $${param})`;

interface FileRow {
  data: string;
  blob_key: string;
  content_type: string;
}

export async function insertFile(db: PgQueryable, project: string, stored: StoredFile): Promise<void> {
  await db.run(
    `INSERT INTO files (id, project, purpose, blob_key, content_type, bytes, expires_at, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      stored.file.id,
      project,
      stored.file.purpose,
      stored.blobKey,
      stored.contentType,
      stored.file.bytes,
      stored.file.expires_at ?? null,
      JSON.stringify(stored.file),
    ],
  );
}

export class PgFiles implements FileRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(project: string, stored: StoredFile): Promise<void> {
    await insertFile(this.db, project, stored);
  }

  async get(project: string, id: string): Promise<StoredFile | undefined> {
    const row = await this.db.get<FileRow>(
      'SELECT data, blob_key, content_type FROM files WHERE id = $1 AND project = $2',
      [id, project],
    );
    return row && { file: JSON.parse(row.data) as OpenAIFile, blobKey: row.blob_key, contentType: row.content_type };
  }

  async existing(project: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.all<{ id: string }>(
      `SELECT id FROM files WHERE project = $1 AND ${notExpired(2)} AND id = ANY($3::text[])`,
      [project, nowSeconds(), ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  async filenames(project: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.all<{ id: string; filename: string }>(
      `SELECT id, data::jsonb ->> 'filename' AS filename FROM files
       WHERE project = $1 AND id = ANY($2::text[])`,
      [project, ids],
    );
    return new Map(rows.map((row) => [row.id, row.filename]));
  }

  async delete(project: string, id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM files WHERE id = $1 AND project = $2', [id, project])) > 0;
  }

  async list(project: string, page: PageRequest, filter: FileFilter = {}): Promise<Page<OpenAIFile>> {
    const scope =
      filter.purpose === undefined
        ? { table: 'files', where: `project = $1 AND ${notExpired(2)}`, params: [project, nowSeconds()] }
        : {
            table: 'files',
            where: `project = $1 AND ${notExpired(2)} AND purpose = $3`,
            params: [project, nowSeconds(), filter.purpose],
          };
    return selectPage(this.db, scope, page);
  }

  async totalBytes(project: string): Promise<number> {
    const row = await this.db.get<{ bytes: number }>(
      `SELECT coalesce(sum(bytes), 0) AS bytes FROM files WHERE project = $1 AND ${notExpired(2)}`,
      [project, nowSeconds()],
    );
    return row?.bytes ?? 0;
  }

  async bytesByProject(): Promise<Map<string, number>> {
    const rows = await this.db.all<{ project: string; bytes: number }>(
      `SELECT project, sum(bytes) AS bytes FROM files WHERE ${notExpired(1)} GROUP BY project`,
      [nowSeconds()],
    );
    return new Map(rows.map((row) => [row.project, row.bytes]));
  }
}

import type { SqliteDatabase } from './sqlite-database.js';

/** Numbered, forward-only schema steps; `PRAGMA user_version` records how many have run. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE assistants (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX assistants_by_project ON assistants (project, seq);

  CREATE TABLE threads (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    data TEXT NOT NULL
  );

  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    run_id TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX messages_by_thread ON messages (thread_id, seq);
  CREATE INDEX messages_by_run ON messages (thread_id, run_id, seq);

  CREATE TABLE files (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    purpose TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX files_by_project ON files (project, seq);
  CREATE INDEX files_by_purpose ON files (project, purpose, seq);

  CREATE TABLE uploads (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    data TEXT NOT NULL
  );

  CREATE TABLE upload_parts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    blob_key TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX upload_parts_by_upload ON upload_parts (upload_id, seq);
  `,
];

export function migrate(db: SqliteDatabase): { from: number; to: number } {
  const from = Number(db.pragma('user_version'));
  if (from > MIGRATIONS.length) {
    throw new Error(`database schema version ${from} is newer than this server (${MIGRATIONS.length}); upgrade the server`);
  }
  for (let version = from; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    });
  }
  return { from, to: MIGRATIONS.length };
}

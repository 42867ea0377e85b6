import type { SqliteDatabase } from './sqlite-database.js';

/**
 * Numbered, forward-only schema steps; `PRAGMA user_version` records how many have run. Each step is
 * literal SQL, frozen once released: no constant is interpolated, so editing code elsewhere can never
 * change what an applied step did. A schema change is a new step appended here.
 */
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
  // 2: an Upload's `expires_after` is applied to the File it becomes, so it must outlive the request.
  `
  ALTER TABLE uploads ADD COLUMN file_expires_after_seconds INTEGER;
  `,
  // 3: runs, their steps and the append-only event log that drives both stored state and streams;
  // a per-thread message count kept by triggers, so the 100,000-message check is one row read.
  `
  CREATE TABLE runs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    expires_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    state TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX runs_by_thread ON runs (thread_id, seq);
  CREATE INDEX runs_by_status ON runs (status, seq);
  -- The thread lock: at most one active run per thread, enforced by the database itself.
  CREATE UNIQUE INDEX runs_one_active_per_thread ON runs (thread_id)
    WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');

  CREATE TABLE run_steps (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );
  CREATE INDEX run_steps_by_run ON run_steps (run_id, seq);

  CREATE TABLE run_events (
    seq INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX run_events_by_run ON run_events (run_id, seq);

  ALTER TABLE threads ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
  UPDATE threads SET message_count = (SELECT count(*) FROM messages WHERE messages.thread_id = threads.id);
  CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
    UPDATE threads SET message_count = message_count + 1 WHERE id = NEW.thread_id;
  END;
  CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
    UPDATE threads SET message_count = message_count - 1 WHERE id = OLD.thread_id;
  END;
  `,
  // 4: vector stores, their files and batches, and the chunk index (BM25 on FTS5) that search uses
  // (keyword-index.ts describes its columns). The chunk tables were interpolated from a constant when
  // this step was released; they are pasted verbatim, unindented, so new databases get the same
  // sqlite_master text as older ones.
  `
  CREATE TABLE vector_stores (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    expires_at INTEGER,
    expired INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
  );
  CREATE INDEX vector_stores_by_project ON vector_stores (project, seq);
  CREATE INDEX vector_stores_by_expiry ON vector_stores (expired, expires_at);

  CREATE TABLE vector_store_file_batches (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    vector_store_id TEXT NOT NULL REFERENCES vector_stores (id) ON DELETE CASCADE,
    data TEXT NOT NULL
  );

  -- 'id' is the file id (unique within a store), so cursor pages work as for other lists.
  CREATE TABLE vector_store_files (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    project TEXT NOT NULL,
    vector_store_id TEXT NOT NULL REFERENCES vector_stores (id) ON DELETE CASCADE,
    batch_id TEXT,
    status TEXT NOT NULL,
    usage_bytes INTEGER NOT NULL DEFAULT 0,
    chunking TEXT NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    data TEXT NOT NULL,
    UNIQUE (vector_store_id, id)
  );
  CREATE INDEX vector_store_files_by_store ON vector_store_files (vector_store_id, seq);
  CREATE INDEX vector_store_files_by_status ON vector_store_files (status, seq);
  CREATE INDEX vector_store_files_by_batch ON vector_store_files (batch_id, seq);
  CREATE INDEX vector_store_files_by_file ON vector_store_files (project, id);
  
CREATE TABLE IF NOT EXISTS file_search_chunks (
  chunk_id INTEGER PRIMARY KEY,
  vector_store_id TEXT NOT NULL,
  file_id TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  text TEXT NOT NULL,
  token_count INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS file_search_chunks_by_file
  ON file_search_chunks (vector_store_id, file_id, chunk_index);
CREATE VIRTUAL TABLE IF NOT EXISTS file_search_chunks_fts USING fts5(
  scope, title, body,
  content = '', contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 0 tokenchars '.' categories 'L* N* Co M*'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS file_search_chunks_vocab USING fts5vocab(file_search_chunks_fts, row);

  `,
  // 5: chunks that have no vector yet (the embedding provider could not be reached when they were
  // indexed, or vectors were enabled later); the backfill embeds them when it answers, least-tried first.
  `
  CREATE TABLE file_search_missing_vectors (
    chunk_id INTEGER PRIMARY KEY,
    attempts INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX file_search_missing_vectors_by_attempts ON file_search_missing_vectors (attempts, chunk_id);
  `,
  // 6: each message's token count per encoding ({"o200k_base": 812}), counted once when a run first needs it, so
  // building a run's context reads only the newest messages that fit instead of counting the whole thread.
  `
  ALTER TABLE messages ADD COLUMN token_counts TEXT;
  `,
  // 7: a file's size and expiry as columns, so a project's storage in use (checked on every upload) is read from an
  // index instead of parsing every file row's JSON.
  `
  ALTER TABLE files ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE files ADD COLUMN expires_at INTEGER;
  UPDATE files SET bytes = coalesce(json_extract(data, '$.bytes'), 0), expires_at = json_extract(data, '$.expires_at');
  CREATE INDEX files_storage ON files (project, expires_at, bytes);
  `,
  // 8: each chunk's title terms as FTS5 holds them, and FTS5's index read as term instances (store/sqlite/keyword-search.ts),
  // so a keyword search can score the best chunks without scoring every match. Existing chunks get their title terms
  // from FTS5's own index.
  `
  ALTER TABLE file_search_chunks ADD COLUMN keyword_title TEXT;
  CREATE VIRTUAL TABLE file_search_chunks_instances USING fts5vocab(file_search_chunks_fts, instance);
  CREATE TEMP TABLE file_search_titles (chunk_id INTEGER PRIMARY KEY, title TEXT NOT NULL);
  INSERT INTO temp.file_search_titles (chunk_id, title)
  SELECT doc, group_concat(term, ' ') FROM file_search_chunks_instances WHERE col = 'title' GROUP BY doc;
  UPDATE file_search_chunks
     SET keyword_title = coalesce((SELECT title FROM temp.file_search_titles AS t WHERE t.chunk_id = file_search_chunks.chunk_id), '');
  DROP TABLE temp.file_search_titles;
  `,
  // 9: a thread is also a conversation (Responses API): its rows are Assistants messages (kind 'message') or other
  // conversation items (kind 'item': function calls and their outputs, built-in tool calls, reasoning), in one order;
  // `input_of` names the response whose input a row was.
  `
  ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
  ALTER TABLE messages ADD COLUMN input_of TEXT;
  CREATE INDEX messages_by_input ON messages (input_of, seq) WHERE input_of IS NOT NULL;
  `,
  // 10: containers (the Containers API, code_interpreter's sandboxes for the Responses API) and their files. A
  // container's status and expiry (last_active_at + expires_after) are columns, so the sweep finds the idle ones by
  // index; a path holds one file per container.
  `
  CREATE TABLE containers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX containers_by_project ON containers (project, seq);
  CREATE INDEX containers_by_name ON containers (project, name, seq);
  CREATE INDEX containers_by_expiry ON containers (status, expires_at);

  CREATE TABLE container_files (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    container_id TEXT NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (container_id, path)
  );
  CREATE INDEX container_files_by_container ON container_files (container_id, seq);
  `,
];

export function migrate(db: SqliteDatabase): { from: number; to: number } {
  const from = Number(db.pragma('user_version'));
  if (from > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${from} is newer than this server (${MIGRATIONS.length}); upgrade the server`,
    );
  }
  for (let version = from; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    });
  }
  return { from, to: MIGRATIONS.length };
}

import type { PgDatabase } from './pg-database.js';

/**
 * Numbered, forward-only schema steps for PostgreSQL; `schema_migrations` records which have run. Each step is
 * literal SQL, frozen once released (as for SQLite): a schema change is a new step appended here. The tables
 * mirror the SQLite dialect's — `seq` orders rows (cursor pages), `data` holds the API object as JSON text,
 * exactly as it was written — so both dialects answer the same.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE assistants (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    data text NOT NULL
  );
  CREATE INDEX assistants_by_project ON assistants (project, seq);

  CREATE TABLE threads (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    message_count integer NOT NULL DEFAULT 0,
    data text NOT NULL
  );

  CREATE TABLE messages (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    thread_id text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    run_id text,
    token_counts jsonb,
    data text NOT NULL
  );
  CREATE INDEX messages_by_thread ON messages (thread_id, seq);
  CREATE INDEX messages_by_run ON messages (thread_id, run_id, seq);

  -- The per-thread message count behind the 100,000-message limit, kept by the database.
  CREATE FUNCTION messages_count() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      UPDATE threads SET message_count = message_count + 1 WHERE id = NEW.thread_id;
    ELSE
      UPDATE threads SET message_count = message_count - 1 WHERE id = OLD.thread_id;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER messages_count AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_count();

  CREATE TABLE files (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    purpose text NOT NULL,
    blob_key text NOT NULL,
    content_type text NOT NULL,
    bytes bigint NOT NULL DEFAULT 0,
    expires_at bigint,
    data text NOT NULL
  );
  CREATE INDEX files_by_project ON files (project, seq);
  CREATE INDEX files_by_purpose ON files (project, purpose, seq);
  CREATE INDEX files_storage ON files (project, expires_at, bytes);

  CREATE TABLE uploads (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    status text NOT NULL,
    mime_type text NOT NULL,
    file_expires_after_seconds integer,
    data text NOT NULL
  );

  CREATE TABLE upload_parts (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    upload_id text NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    blob_key text NOT NULL,
    bytes bigint NOT NULL,
    data text NOT NULL
  );
  CREATE INDEX upload_parts_by_upload ON upload_parts (upload_id, seq);

  CREATE TABLE runs (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    thread_id text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    status text NOT NULL,
    expires_at bigint,
    lease_owner text,
    lease_until bigint,
    state text NOT NULL,
    data text NOT NULL
  );
  CREATE INDEX runs_by_thread ON runs (thread_id, seq);
  CREATE INDEX runs_by_status ON runs (status, seq);
  -- The thread lock: at most one active run per thread, enforced by the database itself.
  CREATE UNIQUE INDEX runs_one_active_per_thread ON runs (thread_id)
    WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');

  CREATE TABLE run_steps (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    data text NOT NULL
  );
  CREATE INDEX run_steps_by_run ON run_steps (run_id, seq);

  CREATE TABLE run_events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    event text NOT NULL,
    data text NOT NULL
  );
  CREATE INDEX run_events_by_run ON run_events (run_id, seq);

  CREATE TABLE vector_stores (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    expires_at bigint,
    expired boolean NOT NULL DEFAULT false,
    data text NOT NULL
  );
  CREATE INDEX vector_stores_by_project ON vector_stores (project, seq);
  CREATE INDEX vector_stores_by_expiry ON vector_stores (expired, expires_at);

  CREATE TABLE vector_store_file_batches (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    vector_store_id text NOT NULL REFERENCES vector_stores (id) ON DELETE CASCADE,
    data text NOT NULL
  );

  -- 'id' is the file id (unique within a store), so cursor pages work as for other lists. A file added again
  -- moves to the end of the list: its seq is taken anew, hence BY DEFAULT.
  CREATE TABLE vector_store_files (
    seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id text NOT NULL,
    project text NOT NULL,
    vector_store_id text NOT NULL REFERENCES vector_stores (id) ON DELETE CASCADE,
    batch_id text,
    status text NOT NULL,
    usage_bytes bigint NOT NULL DEFAULT 0,
    chunking text NOT NULL,
    lease_owner text,
    lease_until bigint,
    data text NOT NULL,
    UNIQUE (vector_store_id, id)
  );
  CREATE INDEX vector_store_files_by_store ON vector_store_files (vector_store_id, seq);
  CREATE INDEX vector_store_files_by_status ON vector_store_files (status, seq);
  CREATE INDEX vector_store_files_by_batch ON vector_store_files (batch_id, seq);
  CREATE INDEX vector_store_files_by_file ON vector_store_files (project, id);

  -- Which worker holds a thread's live code_interpreter session, so the thread's runs go to it.
  CREATE TABLE code_sessions (
    thread_id text PRIMARY KEY,
    owner text NOT NULL,
    until bigint NOT NULL
  );
  `,
  // 2: the file_search index (store/postgres/keyword-index.ts describes the tables): chunks, their postings with
  // per-chunk term frequencies, and per-store statistics, from which BM25 is computed in SQL (keyword-search.ts).
  // Integer keys for stores and files keep a posting row small. Terms sort bytewise (COLLATE "C"): faster than a
  // locale and the same order everywhere. Vector tables are per dimension count and created at open
  // (vector-index.ts), as is the pgvector extension, which keyword-only deployments do without.
  `
  CREATE TABLE file_search_scopes (
    scope_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vector_store_id text NOT NULL UNIQUE,
    chunk_count bigint NOT NULL DEFAULT 0,
    total_length bigint NOT NULL DEFAULT 0
  );

  CREATE TABLE file_search_files (
    file_key integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id integer NOT NULL REFERENCES file_search_scopes (scope_id),
    file_id text NOT NULL,
    chunk_count integer NOT NULL DEFAULT 0,
    UNIQUE (scope_id, file_id)
  );

  CREATE TABLE file_search_chunks (
    chunk_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id integer NOT NULL,
    file_key integer NOT NULL,
    chunk_index integer NOT NULL,
    token_count integer NOT NULL,
    length integer NOT NULL,
    text text NOT NULL,
    UNIQUE (file_key, chunk_index)
  );

  -- One row per chunk and distinct term. Searches read a term's postings in one store from the second index alone
  -- (index-only scans); the primary key finds a chunk's terms (deletes, and probes of common terms).
  CREATE TABLE file_search_postings (
    chunk_id bigint NOT NULL,
    scope_id integer NOT NULL,
    file_key integer NOT NULL,
    length integer NOT NULL,
    title_tf smallint NOT NULL,
    body_tf smallint NOT NULL,
    term text COLLATE "C" NOT NULL,
    PRIMARY KEY (chunk_id, term) INCLUDE (title_tf, body_tf)
  );
  CREATE INDEX file_search_postings_by_term ON file_search_postings (scope_id, term)
    INCLUDE (chunk_id, file_key, length, title_tf, body_tf);

  -- Document frequency per store and term.
  CREATE TABLE file_search_terms (
    scope_id integer NOT NULL,
    term text COLLATE "C" NOT NULL,
    df bigint NOT NULL,
    PRIMARY KEY (scope_id, term)
  );

  -- Chunks that have no vector yet; the backfill embeds them, least-tried first.
  CREATE TABLE file_search_missing_vectors (
    chunk_id bigint PRIMARY KEY,
    attempts integer NOT NULL DEFAULT 0
  );
  CREATE INDEX file_search_missing_vectors_by_attempts ON file_search_missing_vectors (attempts, chunk_id);
  `,
  // 3: a thread is also a conversation (Responses API): its rows are Assistants messages (kind 'message') or other
  // conversation items (kind 'item': function calls and their outputs, built-in tool calls, reasoning), in one order;
  // `input_of` names the response whose input a row was.
  `
  ALTER TABLE messages ADD COLUMN kind text NOT NULL DEFAULT 'message';
  ALTER TABLE messages ADD COLUMN input_of text;
  CREATE INDEX messages_by_input ON messages (input_of, seq) WHERE input_of IS NOT NULL;
  `,
  // 4: containers and their files, as in SQLite (its step 10).
  `
  CREATE TABLE containers (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    name text NOT NULL,
    status text NOT NULL,
    expires_at bigint NOT NULL,
    data text NOT NULL
  );
  CREATE INDEX containers_by_project ON containers (project, seq);
  CREATE INDEX containers_by_name ON containers (project, name, seq);
  CREATE INDEX containers_by_expiry ON containers (status, expires_at);

  CREATE TABLE container_files (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    project text NOT NULL,
    container_id text NOT NULL REFERENCES containers (id) ON DELETE CASCADE,
    path text NOT NULL,
    blob_key text NOT NULL,
    data text NOT NULL,
    UNIQUE (container_id, path)
  );
  CREATE INDEX container_files_by_container ON container_files (container_id, seq);
  `,
];

/** Any fixed number: the advisory lock every process starting at once queues on while one migrates. */
const MIGRATION_LOCK = 4_172_301_977;

/**
 * Applies the steps not yet applied, each in its own transaction, holding a transaction-level advisory lock so
 * processes starting together migrate one after another (the later ones find nothing left to do).
 */
export async function migratePostgres(db: PgDatabase, steps: readonly string[] = PG_MIGRATIONS) {
  let from: number | undefined;
  for (;;) {
    const applied = await db.transaction(async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.run(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const row = await tx.get<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      const version = row?.version ?? 0;
      from ??= version;
      if (version > steps.length) {
        throw new Error(
          `database schema version ${version} is newer than this server (${steps.length}); upgrade the server`,
        );
      }
      if (version === steps.length) return false;
      await tx.run(steps[version]!);
      await tx.run('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
      return true;
    });
    if (!applied) return { from: from ?? 0, to: steps.length };
  }
}

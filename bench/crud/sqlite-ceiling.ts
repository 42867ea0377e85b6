import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { WalCheckpointer } from '../../src/store/sqlite/wal-checkpointer.js';
import { type InsertRequest, type InsertSample, ROWS_PER_TRANSACTION } from './sqlite-ceiling-process.js';

/*
 * The second ceiling of the create case, in a process of its own (forked by sqlite-ceiling-process.ts, which holds its types): SQLite
 * with our schema (a fresh file, our migrations) and our server's configuration (SqliteDatabase's pragmas, WAL
 * checkpoints from the same worker as the server's), inserting message rows of the same shape as fast as it goes
 * with better-sqlite3 prepared statements, 100 rows per transaction. No HTTP, no JSON parsing, no ids drawn from
 * randomness: what the database alone can take.
 */
const directory = mkdtempSync(path.join(tmpdir(), 'bench-crud-sqlite-'));
const filename = path.join(directory, 'ceiling.sqlite');
const db = new SqliteDatabase(filename, { checkpointOnCommit: false });
migrate(db);
const checkpointer = WalCheckpointer.start(filename);
const insertThread = db.statement('INSERT INTO threads (id, project, data) VALUES (?, ?, ?)');
const insertMessage = db.statement(
  'INSERT INTO messages (id, project, thread_id, run_id, data) VALUES (?, ?, ?, ?, ?)',
);
const begin = db.statement('BEGIN IMMEDIATE');
const commit = db.statement('COMMIT');
let threads = 0;
let rowsEver = 0;

process.on('message', (request: InsertRequest) => {
  process.send!({ id: request.id, sample: insertFor(request) });
});
process.on('disconnect', () => {
  void checkpointer.close().finally(() => {
    db.close();
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  });
});

function insertFor({ seconds, message }: InsertRequest): InsertSample {
  threads += 1;
  const threadId = `thread_bench${String(threads).padStart(19, '0')}`;
  const thread = { id: threadId, object: 'thread', created_at: 0, metadata: {}, tool_resources: {} };
  db.transaction(() => insertThread.run(threadId, 'bench', JSON.stringify(thread)));
  // The stored JSON with this row's id and thread: the same bytes per row as our server writes.
  const [before, after] = JSON.stringify({ ...message, id: '\u0000', thread_id: threadId }).split('"\u0000"') as [
    string,
    string,
  ];
  const idLength = message.id.length - 'msg_'.length;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let rows = 0;
  while (performance.now() < deadline) {
    begin.run();
    for (let index = 0; index < ROWS_PER_TRANSACTION; index++) {
      rowsEver += 1;
      const id = `msg_${String(rowsEver).padStart(idLength, '0')}`;
      insertMessage.run(id, 'bench', threadId, null, `${before}"${id}"${after}`);
    }
    commit.run();
    rows += ROWS_PER_TRANSACTION;
  }
  const elapsed = (performance.now() - started) / 1000;
  return { rows, seconds: elapsed, rowsPerSecond: rows / elapsed };
}

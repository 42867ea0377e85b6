// A worker thread with its own connection to the store's file, copying the WAL into the database now and then, so
// checkpoints never run on the server's event loop (the main connection has wal_autocheckpoint = 0).

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { filename, intervalMs } = workerData as { filename: string; intervalMs: number };
const db = new Database(filename);
db.pragma('busy_timeout = 5000');
// Once a checkpoint has reset the WAL, SQLite truncates the file to this size instead of keeping its peak size.
db.pragma('journal_size_limit = 67108864');

// PASSIVE never waits on readers or writers: it copies what it can and the next round takes the rest.
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), intervalMs);

parentPort!.on('message', (message: unknown) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.pragma('wal_checkpoint(PASSIVE)');
  db.close();
  parentPort!.close();
});

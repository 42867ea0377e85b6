// A worker thread holding the approximate (HNSW) vector index of each large vector store: it loads a store's saved
// index or rebuilds it from the vector table (the source of truth) through its own read connection, applies the
// adds and deletes the main thread sends after each commit, answers searches, and saves each index now and then.
// Everything that grows with a store's size runs here, never on the server's event loop.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import hnswlib from 'hnswlib-node';
import * as sqliteVec from 'sqlite-vec';
import {
  intactIndexFile,
  removeIndexFiles,
  removeTemporaryFiles,
  savedIndexFiles,
  saveIndexFile,
} from './ann-index-files.js';
import type { AnnReply, AnnRequest, AnnWorkerSettings } from './ann-index-protocol.js';

type Hnsw = InstanceType<typeof hnswlib.HierarchicalNSW>;

const settings = workerData as AnnWorkerSettings;
const port = parentPort!;
const db = new Database(settings.filename);
db.pragma('busy_timeout = 5000');
db.pragma('query_only = 1');
sqliteVec.load(db);
/** Vectors added between two yields of a rebuild, so searches of other stores are answered meanwhile. */
const BUILD_SLICE = 200;

type Mutation =
  | { kind: 'add'; version: number; ids: Float64Array; vectors: Float32Array }
  | { kind: 'delete'; version: number; ids: Float64Array };

interface StoreIndex {
  hnsw: Hnsw | undefined;
  /** The store's version the index holds (vector-store-versions.ts). */
  version: number;
  /** Loading, rebuilding or saving: mutations wait in `pending`. */
  busy: boolean;
  pending: Mutation[];
  /** Chunks deleted by a mutation still pending: searches skip them meanwhile (a save of 1M vectors takes seconds). */
  hidden: Set<number>;
  dirty: boolean;
  dropped: boolean;
  saveTimer: NodeJS.Timeout | undefined;
  lastSaveMs: number;
}

const indexes = new Map<string, StoreIndex>();
/** The server is stopping: builds under way are abandoned (the next start rebuilds), finished indexes saved. */
let closing = false;
/** File work under way (saves, removals), which `settle` waits for. */
const background = new Set<Promise<unknown>>();

function inBackground(work: Promise<unknown>): void {
  const tracked: Promise<unknown> = work.catch(fail).finally(() => background.delete(tracked));
  background.add(tracked);
}
const point = new Array<number>(settings.dimensions).fill(0);
const readVersion = db.prepare<[string], { version: number; vectors: number }>(
  `SELECT version, vectors FROM ${settings.versionsTable} WHERE vector_store_id = ?`,
);
const readVectors = db
  .prepare<[string]>(`SELECT chunk_id, embedding FROM ${settings.vectorTable} WHERE vector_store_id = ?`)
  .raw();
const readAllowed = db
  .prepare<[string, string]>(
    'SELECT chunk_id FROM file_search_chunks WHERE vector_store_id = ? AND file_id IN (SELECT value FROM json_each(?))',
  )
  .pluck();

function post(reply: AnnReply): void {
  port.postMessage(reply);
}

function fail(error: unknown): void {
  post({ type: 'log', message: error instanceof Error ? error.message : String(error) });
}

function newIndex(capacity: number): Hnsw {
  const hnsw = new hnswlib.HierarchicalNSW('cosine', settings.dimensions);
  hnsw.initIndex({
    maxElements: Math.max(1024, capacity),
    m: settings.m,
    efConstruction: settings.efConstruction,
    allowReplaceDeleted: true,
  });
  return hnsw;
}

function setPoint(vectors: Float32Array, position: number): number[] {
  const offset = position * settings.dimensions;
  for (let index = 0; index < settings.dimensions; index++) point[index] = vectors[offset + index]!;
  return point;
}

/** Room for `more` elements (deleted slots are reused, so this grows a little early, never late). */
function reserve(hnsw: Hnsw, more: number): void {
  const needed = hnsw.getCurrentCount() + more;
  if (needed > hnsw.getMaxElements()) hnsw.resizeIndex(Math.ceil(needed * 1.5));
}

/** Adds or replaces one vector: a chunk id may come back after its chunk was deleted (SQLite reuses row ids). */
function upsert(hnsw: Hnsw, vector: number[], label: number): void {
  try {
    hnsw.unmarkDelete(label);
  } catch {
    // not deleted (or not there): nothing to undo
  }
  let present = true;
  try {
    hnsw.getPoint(label);
  } catch {
    present = false;
  }
  // A present label is updated in place; a new one takes a deleted element's slot when there is one.
  hnsw.addPoint(vector, label, !present);
}

function apply(entry: StoreIndex, mutation: Mutation): void {
  const hnsw = entry.hnsw;
  if (!hnsw || mutation.version <= entry.version) return;
  if (mutation.kind === 'add') {
    reserve(hnsw, mutation.ids.length);
    mutation.ids.forEach((label, position) => {
      upsert(hnsw, setPoint(mutation.vectors, position), label);
    });
  } else {
    for (const label of mutation.ids) {
      entry.hidden.delete(label);
      try {
        hnsw.markDelete(label);
      } catch {
        // a chunk without a vector, or already gone
      }
    }
  }
  entry.version = mutation.version;
  entry.dirty = true;
}

function drain(vectorStoreId: string, entry: StoreIndex): void {
  if (entry.busy || entry.dropped) return;
  const pending = entry.pending;
  entry.pending = [];
  try {
    for (const mutation of pending) apply(entry, mutation);
  } catch (error) {
    // A native failure leaves the index unknown: forget it and build it again from the table.
    fail(error);
    forget(vectorStoreId, entry);
    return;
  }
  if (entry.dirty) scheduleSave(vectorStoreId, entry);
}

function forget(vectorStoreId: string, entry: StoreIndex): void {
  entry.dropped = true;
  clearTimeout(entry.saveTimer);
  indexes.delete(vectorStoreId);
  post({ type: 'unready', vectorStoreId });
}

async function open(vectorStoreId: string, entry: StoreIndex): Promise<void> {
  const current = readVersion.get(vectorStoreId);
  if (!current || current.vectors === 0) {
    forget(vectorStoreId, entry);
    await removeIndexFiles(settings.directory, vectorStoreId);
    return;
  }
  const [newest] = await savedIndexFiles(settings.directory, vectorStoreId);
  let loaded = false;
  if (newest?.version === current.version && (await intactIndexFile(newest))) {
    try {
      const hnsw = new hnswlib.HierarchicalNSW('cosine', settings.dimensions);
      await hnsw.readIndex(newest.path, true);
      if (hnsw.getNumDimensions() === settings.dimensions) {
        entry.hnsw = hnsw;
        entry.version = current.version;
        loaded = true;
      }
    } catch (error) {
      fail(error);
    }
  }
  if (!loaded) await rebuild(vectorStoreId, entry);
  if (entry.dropped || closing) return;
  if (!loaded) entry.dirty = true;
  entry.busy = false;
  post({ type: 'ready', vectorStoreId });
  drain(vectorStoreId, entry);
  if (entry.dirty) scheduleSave(vectorStoreId, entry);
}

/** Reads the store's vectors and version in one read transaction, then builds the graph a slice at a time. */
async function rebuild(vectorStoreId: string, entry: StoreIndex): Promise<void> {
  const snapshot = db.transaction(() => {
    const version = readVersion.get(vectorStoreId) ?? { version: 0, vectors: 0 };
    let ids = new Float64Array(version.vectors);
    let vectors = new Float32Array(version.vectors * settings.dimensions);
    let count = 0;
    for (const [chunkId, embedding] of readVectors.iterate(vectorStoreId) as Iterable<[number | bigint, Buffer]>) {
      if (count === ids.length) {
        const grown = Math.max(16, count * 2);
        ids = copyInto(new Float64Array(grown), ids);
        vectors = copyInto(new Float32Array(grown * settings.dimensions), vectors);
      }
      ids[count] = Number(chunkId);
      // Copied byte for byte: a blob's offset in its buffer need not be aligned for a Float32Array view.
      embedding.copy(new Uint8Array(vectors.buffer, count * settings.dimensions * 4, settings.dimensions * 4));
      count++;
    }
    return { version: version.version, ids: ids.subarray(0, count), vectors };
  })();
  const hnsw = newIndex(Math.ceil(snapshot.ids.length * 1.2));
  for (let position = 0; position < snapshot.ids.length; position++) {
    hnsw.addPoint(setPoint(snapshot.vectors, position), snapshot.ids[position]!);
    if (position % BUILD_SLICE === BUILD_SLICE - 1) {
      await nextTurn();
      if (entry.dropped || closing) return;
    }
  }
  entry.hnsw = hnsw;
  entry.version = snapshot.version;
}

function copyInto<T extends Float64Array | Float32Array>(target: T, source: T): T {
  target.set(source);
  return target;
}

function scheduleSave(vectorStoreId: string, entry: StoreIndex): void {
  if (entry.saveTimer || entry.dropped) return;
  const delay = Math.max(settings.saveDelayMs, 3 * entry.lastSaveMs);
  entry.saveTimer = setTimeout(() => {
    entry.saveTimer = undefined;
    inBackground(save(vectorStoreId, entry));
  }, delay);
}

async function save(vectorStoreId: string, entry: StoreIndex): Promise<void> {
  if (entry.busy) {
    scheduleSave(vectorStoreId, entry);
    return;
  }
  if (!entry.dirty || !entry.hnsw || entry.dropped) return;
  const hnsw = entry.hnsw;
  entry.busy = true;
  const started = performance.now();
  try {
    await saveIndexFile(settings.directory, vectorStoreId, entry.version, (file) => hnsw.writeIndex(file));
    entry.dirty = false;
  } catch (error) {
    fail(error);
  } finally {
    entry.lastSaveMs = performance.now() - started;
    entry.busy = false;
  }
  if (entry.dropped) await removeIndexFiles(settings.directory, vectorStoreId);
  else drain(vectorStoreId, entry);
}

function search(message: Extract<AnnRequest, { type: 'search' }>): void {
  const entry = indexes.get(message.vectorStoreId);
  const hnsw = entry?.hnsw;
  if (!entry || !hnsw || entry.dropped) {
    post({ type: 'result', id: message.id, labels: undefined });
    return;
  }
  const live = hnsw.getCurrentCount();
  const k = Math.min(message.k, live);
  if (k <= 0) {
    post({ type: 'result', id: message.id, labels: [] });
    return;
  }
  hnsw.setEf(Math.max(message.ef, k));
  const allowed = message.fileIds
    ? new Set(readAllowed.all(message.vectorStoreId, JSON.stringify(message.fileIds)) as number[])
    : undefined;
  const vector = Array.from(message.vector);
  const hidden = entry.hidden;
  const result =
    allowed || hidden.size > 0
      ? hnsw.searchKnn(vector, k, (label) => (!allowed || allowed.has(label)) && !hidden.has(label))
      : hnsw.searchKnn(vector, k);
  post({ type: 'result', id: message.id, labels: result.neighbors, distances: result.distances });
}

function ensure(vectorStoreId: string): void {
  if (indexes.has(vectorStoreId)) return;
  const entry: StoreIndex = {
    hnsw: undefined,
    version: 0,
    busy: true,
    pending: [],
    hidden: new Set(),
    dirty: false,
    dropped: false,
    saveTimer: undefined,
    lastSaveMs: 0,
  };
  indexes.set(vectorStoreId, entry);
  open(vectorStoreId, entry).catch((error: unknown) => {
    fail(error);
    forget(vectorStoreId, entry);
  });
}

async function drop(vectorStoreId: string): Promise<void> {
  const entry = indexes.get(vectorStoreId);
  if (entry) forget(vectorStoreId, entry);
  // A save under way removes its own file when it ends (`save` checks `dropped`).
  await removeIndexFiles(settings.directory, vectorStoreId);
}

function idle(): boolean {
  for (const entry of indexes.values()) if (entry.busy || entry.pending.length > 0) return false;
  return true;
}

/** Saves what is unsaved now (indexes still loading or being built are left alone). */
async function saveAll(): Promise<void> {
  await Promise.all([...background]);
  for (const [vectorStoreId, entry] of indexes) {
    clearTimeout(entry.saveTimer);
    entry.saveTimer = undefined;
    if (!entry.busy) await save(vectorStoreId, entry);
  }
  await Promise.all([...background]);
}

async function settle(id: number, saved: boolean): Promise<void> {
  while (!idle()) await new Promise((resolve) => setTimeout(resolve, 20));
  if (saved) await saveAll();
  post({ type: 'settled', id });
}

function mutate(vectorStoreId: string, mutation: Mutation): void {
  const entry = indexes.get(vectorStoreId);
  if (!entry) return;
  if (mutation.kind === 'delete') for (const label of mutation.ids) entry.hidden.add(label);
  entry.pending.push(mutation);
  drain(vectorStoreId, entry);
}

port.on('message', (message: AnnRequest) => {
  switch (message.type) {
    case 'ensure':
      ensure(message.vectorStoreId);
      break;
    case 'add':
      mutate(message.vectorStoreId, {
        kind: 'add',
        version: message.version,
        ids: message.ids,
        vectors: message.vectors,
      });
      break;
    case 'delete':
      mutate(message.vectorStoreId, { kind: 'delete', version: message.version, ids: message.ids });
      break;
    case 'drop':
      inBackground(drop(message.vectorStoreId));
      break;
    case 'search':
      try {
        search(message);
      } catch (error) {
        fail(error);
        post({ type: 'result', id: message.id, labels: undefined });
      }
      break;
    case 'settle':
      settle(message.id, message.saved).catch(fail);
      break;
    case 'close':
      closing = true;
      saveAll()
        .catch(fail)
        .finally(() => {
          db.close();
          post({ type: 'settled', id: message.id });
          port.close();
        });
      break;
  }
});

removeTemporaryFiles(settings.directory).catch(fail);

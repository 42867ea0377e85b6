import type { Worker } from 'node:worker_threads';
import type { AnnReply, AnnRequest, AnnWorkerSettings } from './ann-index-protocol.js';
import { FROM_SOURCE, startWorker } from './wal-checkpointer.js';

/** HNSW settings (hnswlib's defaults for M and efConstruction; measured in bench/retrieval/search-scale.ts). */
export const DEFAULT_ANN_SETTINGS = { m: 16, efConstruction: 64, efSearch: 400, saveDelayMs: 5_000 };

/** A chunk the index found near the query, with its cosine distance (0..2) as the index holds its vector. */
export interface AnnCandidate {
  chunkId: number;
  distance: number;
}

/**
 * The main thread's side of the approximate vector index: a worker thread (ann-index-worker.ts) holds one HNSW
 * graph per large vector store, started the first time a store needs one. This side sends it each committed change
 * and each search, and knows which stores' indexes are ready: a store whose index is not (still loading or being
 * rebuilt, or the worker failed) is searched exactly by the caller.
 */
export class AnnIndex {
  #worker: Worker | undefined;
  #failed = false;
  #closed = false;
  readonly #ready = new Set<string>();
  readonly #requested = new Set<string>();
  readonly #waiting = new Map<number, (reply: AnnReply) => void>();
  #nextId = 1;

  constructor(
    private readonly settings: AnnWorkerSettings,
    /** HNSW's candidate list: at least this, and at least the results asked for. */
    public efSearch: number,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  isReady(vectorStoreId: string): boolean {
    return this.#ready.has(vectorStoreId);
  }

  /** Asks for the store's index (loaded from its file, or rebuilt) unless already asked. */
  ensure(vectorStoreId: string): void {
    if (this.#requested.has(vectorStoreId)) return;
    this.#requested.add(vectorStoreId);
    this.#send({ type: 'ensure', vectorStoreId });
  }

  added(vectorStoreId: string, version: number, ids: readonly number[], vectors: readonly (readonly number[])[]): void {
    if (!this.#requested.has(vectorStoreId) || ids.length === 0) return;
    const flat = new Float32Array(ids.length * this.settings.dimensions);
    vectors.forEach((vector, position) => {
      flat.set(vector, position * this.settings.dimensions);
    });
    this.#send({ type: 'add', vectorStoreId, version, ids: Float64Array.from(ids), vectors: flat }, [flat.buffer]);
  }

  deleted(vectorStoreId: string, version: number, ids: readonly number[], remaining: number): void {
    if (!this.#requested.has(vectorStoreId)) return;
    if (remaining > 0) {
      this.#send({ type: 'delete', vectorStoreId, version, ids: Float64Array.from(ids) });
      return;
    }
    this.#requested.delete(vectorStoreId);
    this.#ready.delete(vectorStoreId);
    this.#send({ type: 'drop', vectorStoreId });
  }

  /** Chunk ids nearest first, or undefined when the store's index cannot answer (search exactly then). */
  async search(
    vectorStoreId: string,
    vector: readonly number[],
    k: number,
    fileIds: readonly string[] | undefined,
    /** Widens the candidate list (filters allowing a small share of the store). */
    widen = 1,
  ): Promise<AnnCandidate[] | undefined> {
    if (!this.#ready.has(vectorStoreId)) return undefined;
    const reply = await this.#request((id) => ({
      type: 'search',
      id,
      vectorStoreId,
      vector: Float32Array.from(vector),
      k,
      ef: this.efSearch * widen,
      ...(fileIds ? { fileIds: [...fileIds] } : {}),
    }));
    if (reply?.type !== 'result' || !reply.labels) return undefined;
    const distances = reply.distances ?? [];
    return reply.labels.map((chunkId, position) => ({ chunkId, distance: distances[position] ?? 2 }));
  }

  /** Resolves once every asked-for index is ready and up to date (and saved, with `saved`): for tests and benches. */
  async settled(saved = false): Promise<void> {
    if (!this.#worker) return;
    await this.#request((id) => ({ type: 'settle', id, saved }));
  }

  /** Saves what is unsaved and ends the worker. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    worker.ref();
    const timeout = new Promise((resolve) => setTimeout(resolve, 120_000).unref());
    await Promise.race([this.#request((id) => ({ type: 'close', id })), timeout]);
    this.#worker = undefined;
    await worker.terminate();
  }

  #request(message: (id: number) => AnnRequest): Promise<AnnReply | undefined> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      if (!this.#send(message(id))) {
        resolve(undefined);
        return;
      }
      this.#waiting.set(id, resolve);
    });
  }

  #send(message: AnnRequest, transfer: ArrayBuffer[] = []): boolean {
    const worker = this.#start();
    if (!worker) return false;
    worker.postMessage(message, transfer);
    return true;
  }

  #start(): Worker | undefined {
    if (this.#worker) return this.#worker;
    if (this.#failed || this.#closed) return undefined;
    const worker = startWorker(new URL(`./ann-index-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url), {
      workerData: this.settings,
    });
    // It must not keep a stopping process alive; if it fails, every search is answered exactly from then on.
    worker.unref();
    worker.on('message', (reply: AnnReply) => this.#receive(reply));
    worker.on('error', (error) => this.log(`approximate vector index failed: ${error.message}`));
    worker.on('exit', () => {
      if (this.#worker === worker) this.#failed = true;
      this.#worker = undefined;
      this.#ready.clear();
      for (const resolve of this.#waiting.values()) resolve({ type: 'settled', id: 0 });
      this.#waiting.clear();
    });
    this.#worker = worker;
    return worker;
  }

  #receive(reply: AnnReply): void {
    switch (reply.type) {
      case 'ready':
        if (this.#requested.has(reply.vectorStoreId)) this.#ready.add(reply.vectorStoreId);
        break;
      case 'unready':
        this.#ready.delete(reply.vectorStoreId);
        this.#requested.delete(reply.vectorStoreId);
        break;
      case 'log':
        this.log(reply.message);
        break;
      default: {
        const resolve = this.#waiting.get(reply.id);
        this.#waiting.delete(reply.id);
        resolve?.(reply);
      }
    }
  }
}

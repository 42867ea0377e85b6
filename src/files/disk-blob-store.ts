import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, BlobWriteResult } from './blob-store.js';
import { type FileLock, FileLockUnavailableError, tryLockFile } from './file-lock.js';
import { partialPath, WRITERS_DIR, writerLockPath } from './partial-blobs.js';

/**
 * Blobs as files under one folder. A write goes to a temporary name and is renamed into place
 * when complete, so a reader never sees half a file and a crash leaves only a `.partial` behind.
 * Partial names carry the writer's id, so a start-up can tell whose they are (`removeOrphanedPartials`).
 */
export class DiskBlobStore implements BlobStore {
  readonly #root: string;
  readonly #writerId = `w${randomBytes(8).toString('hex')}`;
  /** Held until the process ends (the kernel then releases it); see `open`. */
  #writerLock?: FileLock;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  /**
   * The store of a server process: it locks its writer id for as long as the process lives, so other
   * processes sharing the folder leave its partial files alone while they are being written. Where
   * locks cannot be taken (no flock), it goes without: then only their age protects its partials.
   */
  static async open(root: string): Promise<DiskBlobStore> {
    const store = new DiskBlobStore(root);
    await mkdir(path.join(store.#root, WRITERS_DIR), { recursive: true });
    try {
      store.#writerLock = await tryLockFile(writerLockPath(store.#root, store.#writerId));
    } catch (error) {
      if (!(error instanceof FileLockUnavailableError)) throw error;
    }
    return store;
  }

  /** Lets go of the writer lock (`open`); writes after this may be taken for a dead writer's. */
  async close(): Promise<void> {
    await this.#writerLock?.removeAndRelease();
  }

  async write(key: string, source: Readable | AsyncIterable<Uint8Array>): Promise<BlobWriteResult> {
    return this.#writeFrom(key, async (sink) => {
      // Through the async iterator rather than `pipeline(source, ...)`: a Readable destroyed before
      // we got to it (a multipart body cut off early) makes the iterator reject, where pipeline waits forever.
      await pipeline(chunksOf(source), sink);
    });
  }

  async concat(key: string, sources: readonly string[]): Promise<BlobWriteResult> {
    return this.#writeFrom(key, async (sink) => {
      for (const source of sources) {
        await pipeline(createReadStream(this.#pathOf(source)), sink, { end: false });
      }
      sink.end();
    });
  }

  async read(key: string): Promise<Readable> {
    const file = this.#pathOf(key);
    await stat(file);
    return createReadStream(file);
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.#pathOf(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#pathOf(key), { force: true });
  }

  async #writeFrom(key: string, fill: (sink: Transform) => Promise<void>): Promise<BlobWriteResult> {
    const target = this.#pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const partial = partialPath(target, this.#writerId);
    const md5 = createHash('md5');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        md5.update(chunk);
        done(null, chunk);
      },
    });
    const file = createWriteStream(partial);
    const written = pipeline(meter, file);
    try {
      await fill(meter);
      await written;
      await rename(partial, target);
    } catch (error) {
      meter.destroy();
      await written.catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
    return { bytes, md5: md5.digest('hex') };
  }

  localPath(key: string): string {
    return this.#pathOf(key);
  }

  #pathOf(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/.test(key) || key.includes('..')) throw new Error(`invalid blob key: ${key}`);
    return path.join(this.#root, key);
  }
}

async function* chunksOf(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield chunk;
}

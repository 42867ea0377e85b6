import { errors } from '../errors.js';
import type { FileRepository } from '../store/store.js';

const GB = 1024 ** 3;

/**
 * The per-project storage limit OpenAI's FAQ stated (100 GB of files), counted from the store: the bytes of a
 * project's Files, one indexed sum per check. Saving a new File runs under a per-project lock, so two uploads
 * racing cannot both take the same free space. The lock is this process's: several processes sharing a
 * store would need the check inside the store's transaction (or an advisory lock) instead.
 */
export class StorageQuota {
  readonly limitBytes: number;
  readonly #files: Pick<FileRepository, 'totalBytes'>;
  readonly #limitGb: number;
  readonly #tails = new Map<string, Promise<unknown>>();

  constructor(files: Pick<FileRepository, 'totalBytes'>, limitGb: number) {
    this.#files = files;
    this.#limitGb = limitGb;
    this.limitBytes = Math.floor(limitGb * GB);
  }

  /** Throws OpenAI's 400 when `bytes` more would take the project past its limit. */
  async check(project: string, bytes: number): Promise<void> {
    const used = await this.#files.totalBytes(project);
    if (used + bytes > this.limitBytes) throw errors.storageQuotaExceeded(this.#limitGb);
  }

  /** Checks that `bytes` fit and runs `save` (which stores them) before any other admission for the project. */
  admit<T>(project: string, bytes: number, save: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(project) ?? Promise.resolve();
    const admitted = previous.then(async () => {
      await this.check(project, bytes);
      return save();
    });
    const tail = admitted.catch(() => undefined);
    this.#tails.set(project, tail);
    void tail.then(() => {
      if (this.#tails.get(project) === tail) this.#tails.delete(project);
    });
    return admitted;
  }
}

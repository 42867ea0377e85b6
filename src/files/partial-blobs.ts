import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { tryLockFile } from './file-lock.js';

/** Under the blob root; blob keys start with a letter or digit, so no key can reach it. */
export const WRITERS_DIR = '.writers';

const PARTIAL = /\.(?:(w[0-9a-f]{16})-)?[0-9a-f]{12}\.partial$/;
const WRITER_LOCK = /^(w[0-9a-f]{16})\.lock$/;

/** Where a write to `target` goes until it is complete: `<target>.<writerId>-<random>.partial`. */
export function partialPath(target: string, writerId: string): string {
  return `${target}.${writerId}-${randomBytes(6).toString('hex')}.partial`;
}

/** The lock a live writer holds for as long as its process lives. */
export function writerLockPath(root: string, writerId: string): string {
  return path.join(root, WRITERS_DIR, `${writerId}.lock`);
}

/**
 * Removes the `.partial` files that writes interrupted by a crash left under `root`, and the locks of
 * writers that are gone. A partial goes only when its writer is provably dead (its lock is free; names
 * from before writer ids have no writer) and it was last written before `startedAtMs`, this process's
 * start: so never a file this process writes, nor one another live process is writing (several may
 * share a DATA_DIR). Returns how many partials were removed.
 */
export async function removeOrphanedPartials(root: string, startedAtMs: number): Promise<number> {
  const byWriter = new Map<string | undefined, string[]>();
  for (const relative of await partialFiles(root)) {
    const writerId = PARTIAL.exec(relative)?.[1];
    byWriter.set(writerId, [...(byWriter.get(writerId) ?? []), path.join(root, relative)]);
  }
  let removed = 0;
  for (const [writerId, partials] of byWriter) {
    const lock = writerId === undefined ? undefined : await tryLockFile(writerLockPath(root, writerId));
    if (writerId !== undefined && lock === undefined) continue;
    try {
      for (const partial of partials) if (await removeIfOlder(partial, startedAtMs)) removed += 1;
    } finally {
      await lock?.release();
    }
  }
  await removeDeadWriterLocks(root);
  return removed;
}

async function partialFiles(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { recursive: true });
    return entries.filter((entry) => PARTIAL.test(entry) && !entry.startsWith(`${WRITERS_DIR}${path.sep}`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function removeIfOlder(file: string, startedAtMs: number): Promise<boolean> {
  const stats = await stat(file).catch(() => undefined);
  if (!stats?.isFile() || stats.mtimeMs >= startedAtMs) return false;
  await rm(file, { force: true });
  return true;
}

async function removeDeadWriterLocks(root: string): Promise<void> {
  const names = await readdir(path.join(root, WRITERS_DIR)).catch(() => [] as string[]);
  for (const name of names) {
    const writerId = WRITER_LOCK.exec(name)?.[1];
    if (writerId === undefined) continue;
    const lock = await tryLockFile(writerLockPath(root, writerId));
    await lock?.removeAndRelease();
  }
}

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type FileLock, tryLockFile } from '../../files/file-lock.js';
import { SandboxStartError } from './sandbox.js';

/**
 * Which server process a work dir belongs to. Beside each `<root>/<threadId>` lies `<threadId>.lock`,
 * locked (file-lock.ts) by the process whose session uses the dir for as long as the session lives:
 * the kernel releases it when that process dies, however it dies. So several processes can share the
 * root (and a DATA_DIR), and a start-up removes exactly the dirs whose lock is free: those of
 * processes that are gone. A lock file is the whole marker: no pid, clock or heartbeat to check.
 */

/** Thread ids as the server makes them; nothing else under the root is ever removed. */
const OWN_NAME = /^(thread_[A-Za-z0-9_-]+)(\.lock)?$/;
const CLAIM_ATTEMPTS = 20;
const CLAIM_RETRY_MS = 50;

export function workDirLockPath(root: string, threadId: string): string {
  return join(root, `${threadId}.lock`);
}

/**
 * Locks the thread's work dir for this process and removes what a dead holder left in it. Waits a
 * little for a process that is removing it right now (a start-up clean-up); a live session of another
 * process keeps it, and the claim fails.
 */
export async function claimWorkDir(root: string, threadId: string): Promise<FileLock> {
  await mkdir(root, { recursive: true });
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    const lock = await tryLockFile(workDirLockPath(root, threadId));
    if (lock) {
      await rm(join(root, threadId), { recursive: true, force: true });
      return lock;
    }
    await new Promise((resolve) => setTimeout(resolve, CLAIM_RETRY_MS));
  }
  throw new SandboxStartError(`The code interpreter work dir of ${threadId} is in use by another server process`);
}

/**
 * Removes the work dirs (and locks) under `root` that no live process holds: what sessions of crashed
 * processes left. Dirs of live sessions, in this process or another, stay. Returns how many dirs went.
 */
export async function removeOrphanedWorkDirs(root: string): Promise<number> {
  const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const threadIds = new Set(names.flatMap((name) => OWN_NAME.exec(name)?.[1] ?? []));
  let removed = 0;
  for (const threadId of threadIds) {
    const lock = await tryLockFile(workDirLockPath(root, threadId));
    if (!lock) continue;
    try {
      if (names.includes(threadId)) removed += 1;
      await rm(join(root, threadId), { recursive: true, force: true });
    } finally {
      await lock.removeAndRelease();
    }
  }
  return removed;
}

import { spawn } from 'node:child_process';
import { close, fstat, open } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';

const openDescriptor = promisify(open);
const closeDescriptor = promisify(close);
const statDescriptor = promisify(fstat);

/** util-linux's flock(1) (Debian: essential); Node has no flock(2) of its own. */
export const FLOCK_PATH = '/usr/bin/flock';
/** flock(1)'s exit status when another open file holds the lock (chosen so errors cannot be mistaken for it). */
const HELD_ELSEWHERE = 75;
const ATTEMPTS = 3;

/** flock(1) cannot run here, so no lock can be taken or tested. */
export class FileLockUnavailableError extends Error {
  override readonly name = 'FileLockUnavailableError';
}

/** An exclusive lock on a file, held until released or until this process ends, however it ends. */
export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
  /** Deletes the file while still holding its lock, then releases it. */
  removeAndRelease(): Promise<void>;
}

/**
 * Takes an exclusive flock(2) on `path` (created if missing) without waiting; undefined when another
 * process (or another open of the file in this one) holds it.
 *
 * This is how we tell files of live server processes from those of dead ones. The kernel drops the
 * lock when its holder dies, SIGKILL and OOM included, so a held lock proves a live holder and a free
 * one a dead holder: across processes, pid namespaces and containers sharing the folder, with no
 * clocks, heartbeats or reused pids to get wrong. (A pid + start-time marker cannot look into another
 * pid namespace, such as a restarted container's.) It is not reliable on network file systems.
 *
 * flock(1) takes the lock on our own descriptor, passed to it as fd 3: the lock belongs to the open
 * file description we share, so it stays held after flock(1) exits, until we close the descriptor.
 * Node opens files close-on-exec, so no child (no sandbox) ever inherits it.
 */
export async function tryLockFile(path: string): Promise<FileLock | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const descriptor = await openDescriptor(path, 'a', 0o600);
    let held = false;
    try {
      if (!(await lockDescriptor(descriptor))) return undefined;
      // Whoever removed the file between our open and our lock held its lock then (removeAndRelease):
      // our lock is on a file nobody else can find any more, so take the one now at `path`.
      held = await stillAt(path, descriptor);
      if (held) return heldLock(path, descriptor);
    } finally {
      if (!held) await closeDescriptor(descriptor);
    }
  }
  throw new Error(`Could not lock ${path}: the file kept being replaced`);
}

function lockDescriptor(descriptor: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      FLOCK_PATH,
      ['--nonblock', '--exclusive', '--conflict-exit-code', String(HELD_ELSEWHERE), '3'],
      {
        stdio: ['ignore', 'ignore', 'pipe', descriptor],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => {
      reject(new FileLockUnavailableError(`flock (util-linux) could not run from ${FLOCK_PATH}: ${error.message}`));
    });
    child.once('close', (code) => {
      if (code === 0) resolve(true);
      else if (code === HELD_ELSEWHERE) resolve(false);
      else reject(new Error(`flock failed (exit code ${code}): ${stderr.trim()}`));
    });
  });
}

async function stillAt(path: string, descriptor: number): Promise<boolean> {
  const [onDisk, locked] = await Promise.all([stat(path).catch(() => undefined), statDescriptor(descriptor)]);
  return onDisk !== undefined && onDisk.ino === locked.ino && onDisk.dev === locked.dev;
}

function heldLock(path: string, descriptor: number): FileLock {
  let closed: Promise<void> | undefined;
  const release = (): Promise<void> => {
    closed ??= closeDescriptor(descriptor);
    return closed;
  };
  return {
    path,
    release,
    async removeAndRelease() {
      try {
        if (closed === undefined) await unlink(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      } finally {
        await release();
      }
    },
  };
}

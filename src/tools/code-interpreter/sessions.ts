import { constants } from 'node:fs';
import { open, readlink, realpath, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileLock } from '../../files/file-lock.js';
import { DiskQuotaError } from './disk-quota.js';
import { measureDiskUsage } from './disk-usage.js';
import { formatBytes } from './format-bytes.js';
import type { ExecuteOptions, ExecutionResult, Sandbox, SandboxSession } from './sandbox.js';
import { claimWorkDir } from './work-dir-claims.js';
import { changedSince, snapshotWorkDir, type WorkDirFile, type WorkDirSnapshot } from './work-dir-snapshot.js';

export interface CodeSessionsOptions {
  sandbox: Sandbox;
  /** Each thread's work dir is `<root>/<threadId>`. */
  root: string;
  /** A session unused this long is closed and its work dir removed. Default 1 hour. */
  idleMs?: number;
  /** Where other workers learn which one holds a thread's session (several workers on one store). */
  affinity?: SessionAffinity;
}

/** Tells the workers sharing a store which one holds each thread's session (store `codeSessions`). */
export interface SessionAffinity {
  /** This worker now holds the thread's session; true when another worker held it before (its state is lost). */
  hold(threadId: string): Promise<boolean>;
  /** The session ended on purpose (idle, thread deleted). */
  release(threadId: string): Promise<void>;
}

/** The first call of a session that replaced one lost with its worker says so, as a restart does. */
const LOST_ELSEWHERE =
  "[This thread's Python session was lost when the worker holding it stopped, so a new session was started: " +
  'variables and imports from earlier calls are gone, and files in /mnt/data may be too.]';

interface Entry {
  /** The session, and this process's claim on its work dir (work-dir-claims.ts), held while it lives. */
  opening: Promise<{ session: SandboxSession; lock: FileLock; replacedElsewhere: boolean }>;
  timer?: NodeJS.Timeout;
  /** Calls in flight: an idle timer firing during a long call must not close the session under it. */
  busy: number;
  /** The session replaced one another worker held; the next call's logs say so. */
  replacedElsewhere?: boolean;
}

const DEFAULT_IDLE_MS = 60 * 60 * 1000;
/** Thread ids become directory names; ours are `thread_<alphanumerics>`. */
const SAFE_THREAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * One warm sandbox session per thread, as OpenAI's code interpreter keeps one per thread: variables
 * and files in /mnt/data survive between runs until the thread is deleted or the session sits idle.
 */
export class CodeSessions {
  readonly #sandbox: Sandbox;
  readonly #root: string;
  readonly #idleMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #affinity: SessionAffinity | undefined;

  constructor(options: CodeSessionsOptions) {
    this.#sandbox = options.sandbox;
    this.#root = options.root;
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.#affinity = options.affinity;
  }

  /** Threads with a session open (or opening) here. */
  threadIds(): string[] {
    return [...this.#entries.keys()];
  }

  /** The thread's session, opened on first use. Its calls keep it from expiring while they run. */
  async get(threadId: string): Promise<SandboxSession> {
    const entry = this.#entry(threadId);
    const { session } = await entry.opening;
    this.#armIdleTimer(threadId, entry);
    return {
      execute: (code: string, options: ExecuteOptions) => this.#execute(threadId, entry, session, code, options),
      close: () => this.close(threadId),
      get alive() {
        return session.alive;
      },
    };
  }

  /** The thread's work dir on the host (it is `/mnt/data` inside the sandbox). */
  workDir(threadId: string): string {
    if (!SAFE_THREAD_ID.test(threadId)) throw new Error(`Not a usable thread id for a work dir: ${threadId}`);
    return join(this.#root, threadId);
  }

  /** Whether the thread has a session open (or opening) now. */
  has(threadId: string): boolean {
    return this.#entries.has(threadId);
  }

  /** Sessions open (or opening) now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Kills the thread's session and removes its work dir (thread deleted, or idle too long). A dir
   * another live process holds is left to it.
   */
  async close(threadId: string): Promise<void> {
    const workDir = this.workDir(threadId);
    const held = this.#entries.has(threadId);
    const lock = (await this.#stop(threadId)) ?? (await this.#claimLeftover(threadId));
    if (held) await this.#affinity?.release(threadId);
    if (!lock) return;
    try {
      await rm(workDir, { recursive: true, force: true });
    } finally {
      await lock.removeAndRelease();
    }
  }

  /** Kills every session and leaves the work dirs, for shutdown (the next start-up removes them). */
  async closeAll(): Promise<void> {
    const locks = await Promise.all([...this.#entries.keys()].map((threadId) => this.#stop(threadId)));
    await Promise.all(locks.map((lock) => lock?.release()));
  }

  /**
   * Streams an input file into the thread's work dir, opening the session first so the directory
   * exists and belongs to the sandbox's uid. `filename` is reduced to a plain name: the result says
   * which, as `/mnt/data/<filename>` is how the code will refer to it.
   */
  async writeInput(
    threadId: string,
    filename: string,
    source: Readable | AsyncIterable<Uint8Array>,
  ): Promise<WorkDirFile> {
    await this.get(threadId);
    const workDir = this.workDir(threadId);
    const safeName = safeFilename(filename);
    const path = join(workDir, safeName);
    // A file the code left under that name may be a symlink: replace it rather than write through
    // it. `wx` (O_EXCL) refuses a symlink recreated in between, and the chown goes through the
    // descriptor, never the path, so it cannot be redirected to a host file either.
    await rm(path, { force: true, recursive: true });
    const room = await this.#room(workDir);
    const handle = await open(path, 'wx', 0o644);
    try {
      const owner = await stat(workDir);
      if (process.getuid?.() === 0) await handle.chown(owner.uid, owner.gid);
    } catch (error) {
      await handle.close();
      throw error;
    }
    // The stream closes the handle when it finishes or fails.
    const output = handle.createWriteStream();
    try {
      await pipeline(source, atMost(room, safeName, this.#sandbox.diskQuotaBytes), output);
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, filename: safeName, bytes: output.bytesWritten };
  }

  /**
   * Removes a file from the thread's work dir: a plain name only, so nothing is followed through a directory the
   * code may have swapped for a symlink (a symlink under that name is removed itself, not its target).
   */
  async removeFile(threadId: string, filename: string): Promise<void> {
    if (filename === '' || filename === '.' || filename === '..' || /[/\0]/.test(filename)) return;
    await rm(join(this.workDir(threadId), filename), { force: true, recursive: true });
  }

  /**
   * Opens a file the code wrote (a `changedFiles` entry) for reading, safely: the code controls the
   * work dir and may swap any path component for a symlink, so the file is opened without following
   * a final symlink and then checked, through its descriptor, to be a regular file inside the work dir.
   */
  async openFile(threadId: string, filename: string): Promise<{ stream: Readable; bytes: number }> {
    const workDir = await realpath(this.workDir(threadId));
    // O_NONBLOCK: a FIFO planted under that name must not block the open.
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    const handle = await open(join(workDir, filename), flags);
    try {
      const stats = await handle.stat();
      const actualPath = await readlink(`/proc/self/fd/${handle.fd}`);
      if (!stats.isFile() || !actualPath.startsWith(`${workDir}/`)) {
        throw new Error(`Not a regular file in the work dir: ${filename}`);
      }
      return { stream: handle.createReadStream(), bytes: stats.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** What the work dir holds now; pass it to `changedFiles` after a call. */
  snapshot(threadId: string): Promise<WorkDirSnapshot> {
    return snapshotWorkDir(this.workDir(threadId));
  }

  /**
   * Regular files created or modified since `since` (symlinks and other special files are never
   * listed: the code could point them at host paths). Paths are host paths; filenames are relative
   * to /mnt/data.
   */
  async changedFiles(threadId: string, since: WorkDirSnapshot): Promise<WorkDirFile[]> {
    return changedSince(await this.snapshot(threadId), since);
  }

  /** Bytes the work dir may still take before its disk quota (0 when it cannot be measured). */
  async #room(workDir: string): Promise<number> {
    const usage = await measureDiskUsage(workDir);
    return usage.incomplete === undefined ? Math.max(0, this.#sandbox.diskQuotaBytes - usage.bytes) : 0;
  }

  #entry(threadId: string): Entry {
    const existing = this.#entries.get(threadId);
    if (existing) return existing;
    const entry: Entry = { opening: this.#open(threadId), busy: 0 };
    entry.opening.then(
      (opened) => {
        entry.replacedElsewhere = opened.replacedElsewhere;
      },
      () => undefined,
    );
    this.#entries.set(threadId, entry);
    // A session that failed to open is forgotten, so the next call tries again.
    entry.opening.catch(() => {
      if (this.#entries.get(threadId) === entry) this.#entries.delete(threadId);
    });
    return entry;
  }

  async #execute(
    threadId: string,
    entry: Entry,
    session: SandboxSession,
    code: string,
    options: ExecuteOptions,
  ): Promise<ExecutionResult> {
    entry.busy += 1;
    try {
      const result = await session.execute(code, options);
      if (!entry.replacedElsewhere) return result;
      entry.replacedElsewhere = false;
      return { ...result, logs: `${LOST_ELSEWHERE}\n${result.logs}`, restarted: true };
    } finally {
      entry.busy -= 1;
      if (this.#entries.get(threadId) === entry) this.#armIdleTimer(threadId, entry);
    }
  }

  #armIdleTimer(threadId: string, entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (this.#entries.get(threadId) !== entry) return;
      if (entry.busy > 0) this.#armIdleTimer(threadId, entry);
      else void this.close(threadId).catch(() => undefined);
    }, this.#idleMs);
    // Idle sessions must not keep the process alive at shutdown.
    entry.timer.unref();
  }

  /** A claim on a work dir left with no session here: none if there is no dir, or another process holds it. */
  async #claimLeftover(threadId: string): Promise<FileLock | undefined> {
    if (!(await stat(this.workDir(threadId)).catch(() => undefined))) return undefined;
    return claimWorkDir(this.#root, threadId).catch(() => undefined);
  }

  /** Claims the work dir for this process, then starts the sandbox in it. */
  async #open(threadId: string): Promise<{ session: SandboxSession; lock: FileLock; replacedElsewhere: boolean }> {
    const lock = await claimWorkDir(this.#root, threadId);
    try {
      const session = await this.#sandbox.openSession({ workDir: this.workDir(threadId) });
      // Unrecorded (the store unreachable), the session still works here; only routing to it is lost.
      const replacedElsewhere = (await this.#affinity?.hold(threadId).catch(() => false)) ?? false;
      return { session, lock, replacedElsewhere };
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Kills the thread's session; returns its claim on the work dir, still held. */
  async #stop(threadId: string): Promise<FileLock | undefined> {
    const entry = this.#entries.get(threadId);
    if (!entry) return undefined;
    this.#entries.delete(threadId);
    clearTimeout(entry.timer);
    const opened = await entry.opening.catch(() => undefined);
    await opened?.session.close();
    return opened?.lock;
  }
}

/** Passes at most `room` bytes through, then fails: an input must not take the work dir over its quota. */
function atMost(room: number, filename: string, quotaBytes: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes <= room) return done(null, chunk);
      done(
        new DiskQuotaError(
          `${filename} was not placed in /mnt/data: it would take it over its disk quota of ${formatBytes(quotaBytes)} ` +
            `(${formatBytes(room)} free)`,
        ),
      );
    },
  });
}

/** A plain file name: no directories, nothing hidden behind `..`, no NUL. */
function safeFilename(filename: string): string {
  const name = basename(filename.replaceAll('\\', '/')).replaceAll('\0', '');
  return name === '' || name === '.' || name === '..' ? 'file' : name;
}

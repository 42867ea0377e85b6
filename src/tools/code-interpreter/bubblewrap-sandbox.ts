import { constants } from 'node:fs';
import { access, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOCK_PATH } from '../../files/file-lock.js';
import { type BubblewrapCommandSettings, bubblewrapCommand, kernelProgram } from './bubblewrap-command.js';
import { BubblewrapSession } from './bubblewrap-session.js';
import { DiskQuota } from './disk-quota.js';
import { type Sandbox, type SandboxSession, SandboxStartError, SandboxUnavailableError } from './sandbox.js';

export interface BubblewrapSandboxOptions {
  /** Default `/usr/bin/bwrap`. */
  bwrapPath?: string;
  /** Used to drop root before starting bwrap. Default `/usr/bin/setpriv` (util-linux). */
  setprivPath?: string;
  /** Debian's interpreter, which has numpy/pandas/matplotlib from apt. Default `/usr/bin/python3`. */
  pythonPath?: string;
  /** Default: `kernel.py` next to this module. */
  kernelScriptPath?: string;
  /** Wall time per call unless the call says otherwise. Default 60 s. */
  timeoutMs?: number;
  /** RLIMIT_AS of the kernel and everything it starts. Default 1 GiB. */
  memoryBytes?: number;
  /** RLIMIT_NPROC: processes and threads inside one session. Default 64. */
  processes?: number;
  /** RLIMIT_FSIZE: the largest file the code may write (never more than the disk quota). Default 100 MiB. */
  fileSizeBytes?: number;
  /** Most bytes a session's /mnt/data may hold (see disk-quota.ts). Default 1 GiB. */
  diskQuotaBytes?: number;
  /** How often /mnt/data is measured against the quota while a call runs. Default 200 ms. */
  diskCheckIntervalMs?: number;
  /** Size of the in-memory /tmp each session gets. Default 256 MiB. */
  tmpBytes?: number;
  /** Output kept per call; the rest is dropped with a marker. Default 64 KiB. */
  outputLimitBytes?: number;
  /** How long a kernel may take to start. Default 30 s. */
  startTimeoutMs?: number;
  /** Host uid/gid the sandbox runs as when the server runs as root. Default 65534 (nobody/nogroup). */
  hostUid?: number;
  hostGid?: number;
}

const DEFAULTS = {
  bwrapPath: '/usr/bin/bwrap',
  setprivPath: '/usr/bin/setpriv',
  pythonPath: '/usr/bin/python3',
  kernelScriptPath: fileURLToPath(new URL('./kernel.py', import.meta.url)),
  timeoutMs: 60_000,
  memoryBytes: 1024 ** 3,
  processes: 64,
  fileSizeBytes: 100 * 1024 ** 2,
  diskQuotaBytes: 1024 ** 3,
  diskCheckIntervalMs: 200,
  tmpBytes: 256 * 1024 ** 2,
  outputLimitBytes: 64 * 1024,
  startTimeoutMs: 30_000,
  hostUid: 65_534,
  hostGid: 65_534,
} satisfies Required<BubblewrapSandboxOptions>;

const PROBE_TIMEOUT_MS = 15_000;
const PROBE_OUTPUT = 'sandbox-probe-ok';

/**
 * Runs each session's Python kernel under bubblewrap: no network, no host files but /usr and a
 * few /etc entries (read-only) and the session's work dir, a non-root uid, and rlimits that the
 * code cannot raise. Create it with `BubblewrapSandbox.create`, which probes the host once.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly available: boolean;
  readonly unavailableReason?: string;
  readonly #options: Readonly<Required<BubblewrapSandboxOptions>>;
  readonly #kernelSource: string;

  private constructor(options: Required<BubblewrapSandboxOptions>, kernelSource: string, unavailableReason?: string) {
    this.#options = Object.freeze(options);
    this.#kernelSource = kernelSource;
    this.available = unavailableReason === undefined;
    if (unavailableReason !== undefined) this.unavailableReason = unavailableReason;
  }

  /** Checks that bwrap and python exist and that a sandboxed kernel starts and runs code. */
  static async create(options: BubblewrapSandboxOptions = {}): Promise<BubblewrapSandbox> {
    const settled = { ...DEFAULTS, ...withoutUndefined(options) };
    const missing = await firstMissing(settled);
    if (missing) return new BubblewrapSandbox(settled, '', missing);
    const kernelSource = await readFile(settled.kernelScriptPath, 'utf8');
    const sandbox = new BubblewrapSandbox(settled, kernelSource);
    const failure = await sandbox.#probe();
    return failure === undefined ? sandbox : new BubblewrapSandbox(settled, kernelSource, failure);
  }

  get diskQuotaBytes(): number {
    return this.#options.diskQuotaBytes;
  }

  async openSession(options: { workDir: string }): Promise<SandboxSession> {
    if (!this.available) throw new SandboxUnavailableError(this.unavailableReason ?? 'unknown reason');
    return this.#open(options.workDir);
  }

  async #open(workDir: string): Promise<BubblewrapSession> {
    const settings = commandSettings(this.#options);
    await prepareWorkDir(workDir, settings.hostIds);
    const launch = { workDir, kernelSource: this.#kernelSource };
    return BubblewrapSession.open({
      command: bubblewrapCommand(settings, launch, kernelProgram(this.#options.pythonPath)),
      defaultTimeoutMs: this.#options.timeoutMs,
      outputLimitBytes: this.#options.outputLimitBytes,
      startTimeoutMs: this.#options.startTimeoutMs,
      quota: new DiskQuota({
        workDir,
        limitBytes: this.#options.diskQuotaBytes,
        checkIntervalMs: this.#options.diskCheckIntervalMs,
      }),
    });
  }

  /** Why the sandbox cannot run code here, or undefined when it can: one real session, one call. */
  async #probe(): Promise<string | undefined> {
    const workDir = await mkdtemp(join(tmpdir(), 'sandbox-probe-'));
    try {
      const session = await this.#open(workDir);
      try {
        const result = await session.execute(`print('${PROBE_OUTPUT}')`, { timeoutMs: PROBE_TIMEOUT_MS });
        if (result.logs.trim() === PROBE_OUTPUT) return undefined;
        return `a probe run in the sandbox printed something unexpected: ${result.logs.slice(0, 500)}`;
      } finally {
        await session.close();
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `a probe run under bubblewrap failed (${message}); unprivileged user namespaces must be allowed`;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}

function commandSettings(options: Required<BubblewrapSandboxOptions>): BubblewrapCommandSettings {
  const runningAsRoot = process.getuid?.() === 0;
  return {
    bwrapPath: options.bwrapPath,
    setprivPath: options.setprivPath,
    pythonPath: options.pythonPath,
    ...(runningAsRoot ? { hostIds: { uid: options.hostUid, gid: options.hostGid } } : {}),
    limits: {
      memoryBytes: options.memoryBytes,
      processes: options.processes,
      // One file can never take the work dir past its quota on its own.
      fileSizeBytes: Math.min(options.fileSizeBytes, options.diskQuotaBytes),
    },
    tmpBytes: options.tmpBytes,
  };
}

/**
 * The work dir must belong to the uid the sandbox runs as, or the code could not write there, and
 * bwrap (running as that uid) must be able to reach it through every parent directory.
 */
async function prepareWorkDir(workDir: string, hostIds: { uid: number; gid: number } | undefined): Promise<void> {
  // Parents get the default mode (the sandbox uid must pass through them); the dir itself is private.
  await mkdir(dirname(workDir), { recursive: true });
  await mkdir(workDir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  if (!hostIds) return;
  await chown(workDir, hostIds.uid, hostIds.gid);
  for (let directory = dirname(resolve(workDir)); ; directory = dirname(directory)) {
    const stats = await stat(directory);
    const searchBit = stats.uid === hostIds.uid ? 0o100 : stats.gid === hostIds.gid ? 0o010 : 0o001;
    if ((stats.mode & searchBit) === 0) {
      throw new SandboxStartError(
        `The sandbox runs as uid ${hostIds.uid}, which cannot reach ${workDir}: ` +
          `make ${directory} traversable (chmod o+x) or keep the work dirs elsewhere`,
      );
    }
    if (directory === dirname(directory)) return;
  }
}

/** What is missing or misconfigured on this host, in words an operator can act on. */
async function firstMissing(options: Required<BubblewrapSandboxOptions>): Promise<string | undefined> {
  const runningAsRoot = process.getuid?.() === 0;
  if (runningAsRoot && (options.hostUid === 0 || options.hostGid === 0)) {
    return 'hostUid and hostGid must not be 0: process limits do not apply to root';
  }
  const requirements: Array<[path: string, what: string, mode: number]> = [
    [options.bwrapPath, 'bubblewrap (apt-get install bubblewrap)', constants.X_OK],
    [options.pythonPath, 'python3 (apt-get install python3)', constants.X_OK],
    [options.kernelScriptPath, 'the kernel script (copy kernel.py next to the compiled module)', constants.R_OK],
  ];
  if (runningAsRoot) requirements.push([options.setprivPath, 'setpriv (util-linux)', constants.X_OK]);
  // Sessions lock their work dirs with it (work-dir-claims.ts).
  requirements.push([FLOCK_PATH, 'flock (util-linux)', constants.X_OK]);
  for (const [path, what, mode] of requirements) {
    try {
      await access(path, mode);
    } catch {
      return `${what} not found at ${path}`;
    }
  }
  return undefined;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

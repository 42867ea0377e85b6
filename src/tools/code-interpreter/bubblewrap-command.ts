import type { KernelCommand } from './kernel-process.js';

/**
 * bwrap reads the kernel script from this fd rather than a path: it runs as an unprivileged uid
 * that may not be able to reach the install directory (e.g. under /root). The work dir, in
 * contrast, is bound by path (bwrap 0.8 resolves even `--bind-fd` by path, see bubblewrap#569).
 */
export const KERNEL_SOURCE_FD = 4;

/** Where the kernel script appears inside the sandbox. */
export const KERNEL_PATH_INSIDE = '/opt/kernel/kernel.py';
/** The session's work dir inside the sandbox, as OpenAI's code interpreter names it. */
export const WORK_DIR_INSIDE = '/mnt/data';
/** The uid and gid code sees inside the sandbox. */
const SANDBOX_ID = '1000';

/** Limits applied by the kernel (soft and hard) before any user code runs. */
export interface KernelLimits {
  memoryBytes: number;
  processes: number;
  fileSizeBytes: number;
}

export interface BubblewrapCommandSettings {
  bwrapPath: string;
  setprivPath: string;
  pythonPath: string;
  /**
   * Host ids to run bwrap as. Set when the server runs as root: RLIMIT_NPROC does not apply to
   * uid 0 (nor would files written by the code belong to anyone but root), so we drop to these first.
   */
  hostIds?: { uid: number; gid: number };
  limits: KernelLimits;
  /** Size of the sandbox's private /tmp, which lives in memory. */
  tmpBytes: number;
}

/**
 * Read-only binds: only what Debian's python3, numpy, pandas and matplotlib need. `-try` skips
 * paths a host lacks (e.g. no /etc/matplotlibrc without matplotlib).
 */
const READ_ONLY_BINDS = [
  ['--ro-bind', '/usr'],
  ['--ro-bind-try', '/etc/alternatives'],
  ['--ro-bind-try', '/etc/ld.so.cache'],
  ['--ro-bind-try', '/etc/fonts'],
  ['--ro-bind-try', '/etc/matplotlibrc'],
  ['--ro-bind-try', '/etc/localtime'],
] as const;

/** Debian's merged /usr: the top-level lib and bin dirs are symlinks into /usr. */
const USR_SYMLINKS = [
  ['usr/bin', '/bin'],
  ['usr/sbin', '/sbin'],
  ['usr/lib', '/lib'],
  ['usr/lib64', '/lib64'],
] as const;

const ENVIRONMENT: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  LANG: 'C.UTF-8',
  MPLBACKEND: 'Agg',
  // One BLAS thread per kernel: threads count against RLIMIT_NPROC and reserve address space.
  OPENBLAS_NUM_THREADS: '1',
  OMP_NUM_THREADS: '1',
};

/** `program` run inside the sandbox with `workDir` bound read-write at /mnt/data. */
export function bubblewrapCommand(
  settings: BubblewrapCommandSettings,
  launch: { workDir: string; kernelSource: string },
  program: readonly string[],
): KernelCommand {
  const bwrapArgs = [
    // Every namespace, the network included: a fresh netns has only its own loopback.
    '--unshare-all',
    '--unshare-user',
    // No user namespaces inside, which closes a large part of the kernel's attack surface.
    '--disable-userns',
    '--die-with-parent',
    // A new session, so code cannot push keystrokes into a terminal with TIOCSTI.
    '--new-session',
    '--cap-drop',
    'ALL',
    '--uid',
    SANDBOX_ID,
    '--gid',
    SANDBOX_ID,
    '--hostname',
    'sandbox',
    ...READ_ONLY_BINDS.flatMap(([option, path]) => [option, path, path]),
    ...USR_SYMLINKS.flatMap(([target, link]) => ['--symlink', target, link]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(settings.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--perms',
    '0444',
    '--ro-bind-data',
    String(KERNEL_SOURCE_FD),
    KERNEL_PATH_INSIDE,
    '--bind',
    launch.workDir,
    WORK_DIR_INSIDE,
    // The root is a tmpfs bwrap made: read-only, so writes outside /mnt/data and /tmp cannot use memory.
    '--remount-ro',
    '/',
    '--chdir',
    WORK_DIR_INSIDE,
    '--clearenv',
    ...Object.entries(ENVIRONMENT).flatMap(([name, value]) => ['--setenv', name, value]),
    '--setenv',
    'SANDBOX_LIMITS',
    JSON.stringify(settings.limits),
    '--',
    ...program,
  ];
  if (!settings.hostIds) return { file: settings.bwrapPath, args: bwrapArgs, ...launch };
  const { uid, gid } = settings.hostIds;
  return {
    file: settings.setprivPath,
    args: [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', settings.bwrapPath, ...bwrapArgs],
    ...launch,
  };
}

/** The kernel itself: unbuffered, no .pyc writes (/usr is read-only anyway), no user site-packages. */
export function kernelProgram(pythonPath: string): string[] {
  return [pythonPath, '-u', '-B', '-s', KERNEL_PATH_INSIDE];
}

/**
 * The code interpreter's sandbox, independent of how it isolates code. `bubblewrap-sandbox.ts`
 * implements it; the run engine and `sessions.ts` depend only on this file.
 */

/** What one `execute` call produced, shaped like a notebook cell's output. */
export interface ExecutionResult {
  /**
   * Everything the code printed, stdout and stderr interleaved in the order written, followed by
   * the repr of a trailing expression or the traceback of an uncaught exception. Notes from the
   * sandbox itself (timeouts, restarts, truncation) are lines in square brackets.
   */
  logs: string;
  /** PNG bytes of the matplotlib figures shown (`plt.show()`) or left open by the code. */
  images: Uint8Array[];
  /** The call hit its wall-time limit; the kernel was killed. */
  timedOut: boolean;
  /**
   * The kernel died or was killed and a fresh one was started, so variables and imports from
   * earlier calls are gone (files in the work dir remain). Set on the call that found out.
   */
  restarted: boolean;
  /** The output passed the size limit and was cut; `logs` carries a marker where it was cut. */
  truncated: boolean;
  /**
   * Set when the call took /mnt/data over its disk quota: files were removed to bring it back (the
   * logs say which), possibly files placed there before the call too.
   */
  diskQuotaExceeded?: true;
}

export interface ExecuteOptions {
  /** Aborting kills the running code; `execute` then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Wall time for this call; the sandbox's default when omitted. */
  timeoutMs?: number;
}

/** A warm Python kernel whose variables survive between calls, with a work dir at `/mnt/data`. */
export interface SandboxSession {
  /** Runs `code` in the session's namespace. Calls are queued, one at a time per session. */
  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult>;
  /** Kills the kernel. The work dir is left alone; whoever created it removes it. */
  close(): Promise<void>;
  /** Whether a kernel is running now: false after a crash (until the next call restarts it) and after `close`. */
  readonly alive: boolean;
}

export interface Sandbox {
  /** Whether code can run here; decided once, when the sandbox is created. */
  readonly available: boolean;
  /** Why `available` is false, in words an operator can act on. */
  readonly unavailableReason?: string;
  /** Most bytes a session's work dir may hold; code that writes more is stopped and its files removed. */
  readonly diskQuotaBytes: number;
  /**
   * Starts a kernel with `workDir` (created if missing) as its `/mnt/data` and working directory.
   * Rejects with `SandboxUnavailableError` when `available` is false: code never runs unsandboxed.
   */
  openSession(options: { workDir: string }): Promise<SandboxSession>;
}

/** The sandbox cannot run code on this host (e.g. bubblewrap missing or user namespaces disabled). */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
  constructor(reason: string) {
    super(`The code interpreter sandbox is unavailable: ${reason}`);
  }
}

/** A kernel could not be started, although the sandbox passed its probe. */
export class SandboxStartError extends Error {
  override readonly name = 'SandboxStartError';
}

/** `execute` was called on a session after `close`. */
export class SandboxSessionClosedError extends Error {
  override readonly name = 'SandboxSessionClosedError';
  constructor() {
    super('The code interpreter session is closed');
  }
}

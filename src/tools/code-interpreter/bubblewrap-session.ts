import { type DiskQuota, describeBreach, type QuotaBreach } from './disk-quota.js';
import { type CellOutcome, type KernelCommand, KernelProcess } from './kernel-process.js';
import {
  type ExecuteOptions,
  type ExecutionResult,
  type SandboxSession,
  SandboxSessionClosedError,
} from './sandbox.js';

export interface SessionSettings {
  command: KernelCommand;
  defaultTimeoutMs: number;
  outputLimitBytes: number;
  startTimeoutMs: number;
  /** The quota of the work dir, watched while each call runs and enforced after it. */
  quota: DiskQuota;
}

type StopReason = 'finished' | 'timeout' | 'aborted' | 'disk-quota';

const VARIABLES_LOST = 'variables, imports and definitions from earlier calls were lost';
const STATE_LOST = `${VARIABLES_LOST}; files in /mnt/data were kept`;

/**
 * A kernel that outlives calls. When the kernel dies (timeout, crash, cancellation, disk quota) the
 * session stays usable: a fresh kernel is started and the result of the call that notices says so.
 */
export class BubblewrapSession implements SandboxSession {
  readonly #settings: SessionSettings;
  #kernel?: KernelProcess;
  /** Why the last kernel is gone, when the next call has yet to tell the caller. */
  #lostKernelReason?: string;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(settings: SessionSettings, kernel: KernelProcess) {
    this.#settings = settings;
    this.#kernel = kernel;
  }

  static async open(settings: SessionSettings): Promise<BubblewrapSession> {
    const kernel = await KernelProcess.start(settings.command, settings.startTimeoutMs);
    return new BubblewrapSession(settings, kernel);
  }

  get alive(): boolean {
    return !this.#closed && this.#kernel?.alive === true;
  }

  execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    const run = this.#queue.then(() => this.#execute(code, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#kernel?.kill();
  }

  async #execute(code: string, options: ExecuteOptions): Promise<ExecutionResult> {
    if (this.#closed) throw new SandboxSessionClosedError();
    options.signal?.throwIfAborted();
    const notes: string[] = [];
    const kernel = await this.#liveKernel(notes);
    const timeoutMs = options.timeoutMs ?? this.#settings.defaultTimeoutMs;
    const before = await this.#settings.quota.snapshot();
    const { outcome, reason } = await this.#runWithDeadline(kernel, code, timeoutMs, options.signal);
    // No code runs now (the kernel is stopped or dead), so what the call wrote can be counted and removed.
    const breach = await this.#settings.quota.enforce(before);
    if (reason === 'aborted') {
      this.#lostKernelReason = 'the previous call was cancelled';
      throw options.signal?.reason ?? new Error('aborted');
    }
    if (reason !== 'finished' && outcome.kind === 'completed') {
      // The cell finished just as it was stopped: its result stands, but the kernel is being killed.
      this.#lostKernelReason =
        reason === 'timeout'
          ? 'the previous call reached its time limit'
          : 'the previous call went over the disk quota of /mnt/data';
    }
    return this.#toResult(outcome, { reason, timeoutMs, breach }, notes);
  }

  /** The running kernel, or a fresh one (noting the restart) if the last one is gone. */
  async #liveKernel(notes: string[]): Promise<KernelProcess> {
    if (this.#kernel?.alive) return this.#kernel;
    const reason = this.#lostKernelReason ?? `the Python kernel stopped (${await this.#kernel?.exited})`;
    this.#kernel = await this.#startKernel();
    this.#lostKernelReason = undefined;
    notes.push(`[The session was restarted because ${reason}: ${STATE_LOST}.]`);
    return this.#kernel;
  }

  async #runWithDeadline(
    kernel: KernelProcess,
    code: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{ outcome: CellOutcome; reason: StopReason }> {
    let reason: StopReason = 'finished';
    const stop = (why: Exclude<StopReason, 'finished'>): void => {
      if (reason !== 'finished') return;
      reason = why;
      void kernel.kill();
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = (): void => stop('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    const watchdog = this.#settings.quota.watch(() => stop('disk-quota'));
    try {
      // Killing the kernel resolves the cell as `exited`, with whatever it printed until then.
      const outcome = await kernel.run(code, this.#settings.outputLimitBytes);
      return { outcome, reason };
    } finally {
      watchdog.stop();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async #toResult(
    outcome: CellOutcome,
    stopped: { reason: StopReason; timeoutMs: number; breach: QuotaBreach | undefined },
    notes: string[],
  ): Promise<ExecutionResult> {
    const restarted = notes.length > 0 || outcome.kind === 'exited';
    const timedOut = stopped.reason === 'timeout' && outcome.kind === 'exited';
    const parts = [...notes, withoutTrailingNewline(outcome.output)];
    if (outcome.outputTruncated) {
      parts.push(`[Output truncated: only the first ${this.#settings.outputLimitBytes} bytes are shown.]`);
    }
    if (outcome.kind === 'completed') {
      // The kernel clipped these to the output limit already.
      if (outcome.result !== null) parts.push(outcome.result);
      if (outcome.error !== null) parts.push(withoutTrailingNewline(outcome.error));
    } else {
      const why = lossReason(stopped.reason, stopped.timeoutMs, outcome.exitDescription);
      const kept = stopped.reason === 'disk-quota' ? VARIABLES_LOST : STATE_LOST;
      parts.push(`[${why}. The session was restarted: ${kept}.]`);
      await this.#restartAfterLoss(why);
    }
    if (stopped.breach) parts.push(describeBreach(stopped.breach));
    return {
      logs: parts.filter((part) => part.length > 0).join('\n'),
      images: outcome.kind === 'completed' ? outcome.images : [],
      timedOut,
      restarted,
      truncated: outcome.outputTruncated,
      ...(stopped.breach ? { diskQuotaExceeded: true as const } : {}),
    };
  }

  /** Starts the next kernel now, so the next call finds it warm; a failure is retried on that call. */
  async #restartAfterLoss(why: string): Promise<void> {
    if (this.#closed) return;
    try {
      this.#kernel = await this.#startKernel();
    } catch {
      // The restart was already reported; if starting fails again, the next call says why.
      this.#lostKernelReason = why.charAt(0).toLowerCase() + why.slice(1);
      this.#kernel = undefined;
    }
  }

  async #startKernel(): Promise<KernelProcess> {
    const kernel = await KernelProcess.start(this.#settings.command, this.#settings.startTimeoutMs);
    if (!this.#closed) return kernel;
    // close() ran while the kernel was starting: it must not outlive the session.
    await kernel.kill();
    throw new SandboxSessionClosedError();
  }
}

/** Why a kernel died under a call, as the first words of the note in its logs. */
function lossReason(reason: StopReason, timeoutMs: number, exitDescription: string): string {
  if (reason === 'timeout') return `Execution timed out after ${timeoutMs / 1000} s and was stopped`;
  if (reason === 'disk-quota') return 'Execution was stopped because /mnt/data went over its disk quota';
  return `The Python kernel stopped (${exitDescription})`;
}

function withoutTrailingNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CellOutput } from './cell-output.js';
import { continueProcessTree, stopProcessTree } from './process-tree.js';
import { SandboxStartError } from './sandbox.js';

/** The program that starts a sandboxed kernel (`setpriv … bwrap … python3 kernel.py`). */
export interface KernelCommand {
  file: string;
  args: string[];
  /** The host directory bound at /mnt/data. */
  workDir: string;
  /** Written to fd 4 (`KERNEL_SOURCE_FD`), from which bwrap creates the kernel script. */
  kernelSource: string;
}

/** How one cell ended, as seen from the host. */
export type CellOutcome =
  | {
      kind: 'completed';
      output: string;
      outputTruncated: boolean;
      images: Uint8Array[];
      /** repr of a trailing expression. */
      result: string | null;
      /** Formatted traceback of an uncaught exception. */
      error: string | null;
    }
  /** The kernel process ended before the cell did (crash, `os._exit`, or killed by us). */
  | { kind: 'exited'; output: string; outputTruncated: boolean; exitDescription: string };

interface KernelReply {
  ready?: boolean;
  images?: string[];
  truncated?: boolean;
  result?: string | null;
  error?: string | null;
}

interface RunningCell {
  output: CellOutput;
  reply?: KernelReply;
  finish(outcome: CellOutcome): void;
}

const STDERR_TAIL_BYTES = 4096;

/**
 * One running kernel and the protocol spoken with it (see kernel.py): requests as JSON lines on
 * stdin, output on stdout up to a per-cell marker, one JSON reply per cell on fd 3. Between cells
 * every process in the sandbox is stopped (process-tree.ts), so code runs only while a call does.
 */
export class KernelProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<string>;
  #exitDescription?: string;
  #stderrTail = '';
  #cell?: RunningCell;
  #onReady?: () => void;

  private constructor(command: KernelCommand) {
    this.#child = spawn(command.file, command.args, {
      // 3: replies; 4: kernel source (see bubblewrap-command.ts).
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
    });
    const source = this.#child.stdio[4] as Writable | null;
    source?.on('error', () => {
      // bwrap exits before reading it when it fails; the close handler reports that.
    });
    source?.end(command.kernelSource);
    this.#exited = new Promise((resolve) => {
      const settle = (description: string): void => {
        if (this.#exitDescription !== undefined) return;
        this.#exitDescription = description;
        this.#finishCellAsExited();
        resolve(description);
      };
      this.#child.once('error', (error) => settle(`could not start: ${error.message}`));
      this.#child.once('close', (code, signal) => settle(signal ? `killed by ${signal}` : `exit code ${code}`));
    });
    this.#child.stdin?.on('error', () => {
      // EPIPE after the kernel died; the close handler reports the death.
    });
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      this.#cell?.output.push(chunk);
      this.#finishCellIfComplete();
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const replies = createInterface({ input: this.#child.stdio[3] as Readable, crlfDelay: Infinity });
    replies.on('line', (line) => this.#receive(line));
  }

  /** Starts a kernel and waits until it says it is ready for code. */
  static async start(command: KernelCommand, startTimeoutMs: number): Promise<KernelProcess> {
    const kernel = new KernelProcess(command);
    const ready = new Promise<void>((resolve) => {
      kernel.#onReady = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), startTimeoutMs);
    });
    try {
      const outcome = await Promise.race([ready.then(() => 'ready' as const), kernel.#exited, timedOut]);
      if (outcome === 'ready') {
        await kernel.#freeze();
        return kernel;
      }
      await kernel.kill();
      const why = outcome === 'timeout' ? `it was not ready after ${startTimeoutMs} ms` : `it stopped (${outcome})`;
      throw new SandboxStartError(`Could not start the Python kernel: ${why}. ${kernel.#stderrTail.trim()}`.trim());
    } finally {
      clearTimeout(timer);
    }
  }

  get alive(): boolean {
    return this.#exitDescription === undefined;
  }

  /** Resolves when the process is gone, with how it ended. */
  get exited(): Promise<string> {
    return this.#exited;
  }

  /** Runs one cell. Never rejects: a dying kernel resolves the cell as `exited`. */
  async run(code: string, outputLimitBytes: number): Promise<CellOutcome> {
    if (this.#cell) throw new Error('KernelProcess.run called while a cell is running');
    const marker = `<<cell-end-${randomBytes(16).toString('hex')}>>`;
    const finished = new Promise<CellOutcome>((resolve) => {
      this.#cell = { output: new CellOutput(marker, outputLimitBytes), finish: resolve };
    });
    if (!this.alive) {
      this.#finishCellAsExited();
      return finished;
    }
    await this.#thaw();
    const request = { code, marker, outputLimit: outputLimitBytes };
    this.#child.stdin?.write(`${JSON.stringify(request)}\n`);
    const outcome = await finished;
    if (outcome.kind === 'completed') await this.#freeze();
    return outcome;
  }

  /** Kills the kernel and everything it started (bwrap takes its pid namespace down with it). */
  async kill(): Promise<void> {
    if (this.alive) this.#child.kill('SIGKILL');
    await this.#exited;
  }

  async #freeze(): Promise<void> {
    if (this.#child.pid !== undefined && this.alive) await stopProcessTree(this.#child.pid);
  }

  async #thaw(): Promise<void> {
    if (this.#child.pid !== undefined) await continueProcessTree(this.#child.pid);
  }

  #receive(line: string): void {
    let reply: KernelReply;
    try {
      reply = JSON.parse(line) as KernelReply;
    } catch {
      // Only user code writing to our fd could produce this; the session cannot be trusted now.
      void this.kill();
      return;
    }
    if (reply.ready) {
      this.#onReady?.();
      return;
    }
    if (this.#cell) this.#cell.reply = reply;
    this.#finishCellIfComplete();
  }

  #finishCellIfComplete(): void {
    const cell = this.#cell;
    if (!cell?.reply || !cell.output.ended) return;
    this.#cell = undefined;
    const reply = cell.reply;
    cell.finish({
      kind: 'completed',
      output: cell.output.text(),
      outputTruncated: cell.output.truncated || reply.truncated === true,
      images: (reply.images ?? []).map((image) => new Uint8Array(Buffer.from(image, 'base64'))),
      result: reply.result ?? null,
      error: reply.error ?? null,
    });
  }

  #finishCellAsExited(): void {
    const cell = this.#cell;
    if (!cell || this.#exitDescription === undefined) return;
    this.#cell = undefined;
    cell.finish({
      kind: 'exited',
      output: cell.output.text(),
      outputTruncated: cell.output.truncated,
      exitDescription: this.#exitDescription,
    });
  }
}

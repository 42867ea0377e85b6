import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BatchReply, ChildMessage, ParentMessage, PoolTask, TaskMessage, TaskResults } from './ingest-protocol.js';

/** How an ingestion process ended while it had a task. */
export class ChildExited extends Error {
  constructor(
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    /** The end of what it wrote to stderr (V8's fatal errors land there). */
    readonly stderr: string,
  ) {
    super(
      `the ingestion process exited (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`,
    );
    this.name = 'ChildExited';
  }

  /** V8 gave up on the heap (its limit is the process's `--max-old-space-size`). */
  get outOfMemory(): boolean {
    return /out of memory|Allocation failed/i.test(this.stderr) || this.signal === 'SIGABRT' || this.code === 134;
  }
}

const STDERR_TAIL_CHARACTERS = 4096;

/**
 * One ingestion process (ingest-process.ts), reused task after task. Its heap is capped by
 * `--max-old-space-size`; killing it is the only way to stop a parser stuck in a loop, and gives all
 * its memory back to the system.
 */
export class IngestChild {
  readonly #child: ChildProcess;
  readonly #exited: Promise<ChildExited>;
  #stderr = '';
  #alive = true;
  #onMessage: ((message: ChildMessage) => void) | undefined;

  constructor(memoryMb: number) {
    const { filename, execArgv } = childModule();
    this.#child = fork(filename, [], {
      execArgv: [...execArgv, `--max-old-space-size=${memoryMb}`],
      // Structured clone: batches carry arrays and a task may carry bytes.
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL_CHARACTERS);
    });
    this.#child.on('message', (message: ChildMessage) => this.#onMessage?.(message));
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#alive = false;
        resolve(new ChildExited(code, signal, this.#stderr));
      });
    });
    // A failed spawn also emits 'exit'; the error itself needs a listener so it is not thrown.
    this.#child.on('error', () => undefined);
  }

  get alive(): boolean {
    return this.#alive;
  }

  /**
   * Runs a task: `onProgress` hears its `started`, `chunks` and `text` messages. Resolves with its result;
   * rejects with `ChildExited` when the process dies first, or an Error for a failure inside it.
   */
  run<Task extends PoolTask>(
    task: Task,
    onProgress: (message: TaskMessage) => void,
  ): Promise<TaskResults[Task['kind']]> {
    return new Promise<TaskResults[Task['kind']]>((resolve, reject) => {
      void this.#exited.then(reject);
      this.#onMessage = (message) => {
        // The process runs one task at a time, so the result it sends is this task's, of this task's kind.
        if (message.type === 'result') resolve(message.result as TaskResults[Task['kind']]);
        else if (message.type === 'failure') reject(new Error(message.message));
        else onProgress(message);
      };
      this.#send({ type: 'task', task });
    }).finally(() => {
      this.#onMessage = undefined;
    });
  }

  reply(reply: BatchReply): void {
    this.#send({ type: 'reply', reply });
  }

  /** Kills the process at once (a stuck parser ignores anything gentler). */
  kill(): void {
    if (this.#alive) this.#child.kill('SIGKILL');
  }

  /** Lets an idle process go: it exits when its channel closes. */
  release(): void {
    if (this.#alive && this.#child.connected) this.#child.disconnect();
  }

  #send(message: ParentMessage): void {
    if (this.#alive && this.#child.connected) this.#child.send(message);
  }
}

/**
 * The process's module next to this one: `ingest-process.js` in the build, `ingest-process.ts` when the
 * server runs from its TypeScript sources, which then needs tsx too (inherited from `node --import tsx`).
 */
function childModule(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = fileURLToPath(new URL(fromSource ? './ingest-process.ts' : './ingest-process.js', import.meta.url));
  // The parent's heap size is not the child's: that is set by the pool.
  const inherited = process.execArgv.filter((argument) => !argument.startsWith('--max-old-space-size'));
  const needsTsx = fromSource && !inherited.some((argument) => argument.includes('tsx'));
  return { filename, execArgv: needsTsx ? [...inherited, '--import', 'tsx'] : inherited };
}

import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { CompletionScript } from '../../test/upstream/index.js';
import type { UpstreamCommand } from './upstream-process.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The scripted upstream running in upstream-process.ts, driven over IPC. */
export class UpstreamProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (value: unknown) => void>();
  #nextId = 0;

  private constructor(
    child: ChildProcess,
    /** `http://127.0.0.1:PORT/v1` */
    readonly baseURL: string,
  ) {
    this.#child = child;
    child.on('message', (reply: { id: number; value: unknown }) => {
      this.#waiting.get(reply.id)?.(reply.value);
      this.#waiting.delete(reply.id);
    });
  }

  static async start(): Promise<UpstreamProcess> {
    const child = fork(path.join(import.meta.dirname, 'upstream-process.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const baseURL = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the upstream process did not start within 30 s')), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { baseURL?: string };
        if (typeof entry.baseURL !== 'string') return;
        clearTimeout(timer);
        resolve(entry.baseURL);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the upstream process exited with code ${code} before listening`));
      });
    });
    return new UpstreamProcess(child, baseURL);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Answers every model call with `script` from now on, and forgets the requests recorded so far. */
  async respond(script: CompletionScript): Promise<void> {
    await this.#ask({ kind: 'respond', script });
  }

  /** Model calls (`POST /v1/chat/completions`) received since the last `respond`. */
  async modelCalls(): Promise<number> {
    return (await this.#ask({ kind: 'model-calls' })) as number;
  }

  /** The body of the last model call received: what our server sent the provider. */
  async lastModelRequest(): Promise<Record<string, unknown> | null> {
    return (await this.#ask({ kind: 'last-model-request' })) as Record<string, unknown> | null;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.disconnect();
    await exited;
  }

  #ask(command: DistributiveOmit<UpstreamCommand, 'id'>): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.send({ ...command, id });
    });
  }
}

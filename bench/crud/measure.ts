import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

/** One HTTP request shape that autocannon repeats for the whole measurement. */
export interface Target {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface LoadSettings {
  connections: number;
  /** Seconds. */
  duration: number;
}

/** What one autocannon run measured. Latencies in milliseconds. */
export interface Sample {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  /** Connection errors, timeouts included. */
  errors: number;
  non2xx: number;
  totalRequests: number;
  /** Seconds autocannon measured. */
  seconds: number;
}

/** What the bench sends the load generator's process for one measurement. */
export interface LoadRequest {
  id: number;
  target: Target;
  settings: LoadSettings;
}

type LoadReply = { id: number; sample: Sample } | { id: number; error: string };

/**
 * autocannon in a process of its own (load-generator.ts), started once and reused for every measurement: the
 * load generator has its own event loop, not the bench's, and `pid` lets the bench read its CPU time.
 */
export class LoadGenerator {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (sample: Sample) => void; reject: (error: Error) => void }>();
  #nextId = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: LoadReply) => {
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if ('error' in reply) waiting?.reject(new Error(`load generator: ${reply.error}`));
      else waiting?.resolve(reply.sample);
    });
    child.once('exit', (code) => {
      for (const waiting of this.#waiting.values()) waiting.reject(new Error(`load generator exited (${code})`));
      this.#waiting.clear();
    });
  }

  /** Forks the load generator with the same Node flags as the servers (`--import tsx`). */
  static start(): LoadGenerator {
    const child = fork(path.join(import.meta.dirname, 'load-generator.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new LoadGenerator(child);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Drives `target` for `settings.duration` seconds and resolves with what autocannon measured. */
  measure(target: Target, settings: LoadSettings): Promise<Sample> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#child.send({ id, target, settings } satisfies LoadRequest);
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.disconnect();
    await exited;
  }
}

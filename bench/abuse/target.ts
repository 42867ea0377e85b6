import type { ScriptedUpstream } from '../../test/upstream/index.js';
import type { AbuseContext } from './abuse.js';
import { benchClient } from './api.js';
import type { Window } from './measure.js';
import { type AbusedServer, API_KEY, startAbusedServer } from './server.js';
import type { AbuseBenchSettings } from './settings.js';
import { warmUp } from './warm-up.js';

/** The server under abuse, replaceable when an abuse killed it or left it busy past its deadline. */
export class Target {
  #abused: AbusedServer;

  private constructor(
    abused: AbusedServer,
    readonly upstream: ScriptedUpstream,
    readonly settings: AbuseBenchSettings,
  ) {
    this.#abused = abused;
  }

  static async start(upstream: ScriptedUpstream, settings: AbuseBenchSettings): Promise<Target> {
    const target = new Target(await startAbusedServer(upstream, settings), upstream, settings);
    await warmUp(target.context());
    return target;
  }

  get pid(): number {
    return this.#abused.server.pid;
  }

  /** A fresh server (new DATA_DIR), warmed up; the old one is stopped. */
  async replace(): Promise<void> {
    await this.#abused.close();
    this.#abused = await startAbusedServer(this.upstream, this.settings);
    await warmUp(this.context());
  }

  close(): Promise<void> {
    return this.#abused.close();
  }

  context(): AbuseContext {
    return {
      client: benchClient(this.#abused.server.url, API_KEY),
      serverUrl: this.#abused.server.url,
      apiKey: API_KEY,
      upstream: this.upstream,
      settings: this.settings,
      codeInterpreterDir: this.#abused.codeInterpreterDir,
    };
  }

  window(): Window {
    return {
      pid: this.pid,
      serverUrl: this.#abused.server.url,
      intervalMs: this.settings.intervalMs,
      timeoutMs: this.settings.timeoutSeconds * 1000,
      settleMs: this.settings.settleSeconds * 1000,
    };
  }
}

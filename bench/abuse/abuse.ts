import type OpenAI from 'openai';
import type { ScriptedUpstream } from '../../test/upstream/index.js';
import type { AbuseBenchSettings, AbuseName } from './settings.js';

/** What an abuse works with: our server through the SDK (no retries), and the model upstream it calls. */
export interface AbuseContext {
  client: OpenAI;
  serverUrl: string;
  apiKey: string;
  upstream: ScriptedUpstream;
  settings: AbuseBenchSettings;
  /** The server's CODE_INTERPRETER_DIR: each thread's /mnt/data is a folder in it. */
  codeInterpreterDir: string;
}

/** An abuse ready to run: inputs built and objects created, untimed. `run` says what the server did. */
export type PreparedAbuse = { run(deadline: number): Promise<string> } | { skip: string };

export interface Abuse {
  name: AbuseName;
  /** One line for the table. */
  title: string;
  /** Whether the RSS growth goal (< 200 MB) applies to it. */
  memoryGoal: boolean;
  prepare(context: AbuseContext): Promise<PreparedAbuse>;
}

import path from 'node:path';
import { readNumber } from '../read-env.js';

/** Every abuse, in the order the bench runs them. */
export const ABUSE_NAMES = [
  'long-message',
  'instructions',
  'tools',
  'zip-bomb',
  'zip-bombs-4',
  'pdf-pages',
  'pdf-pages-5000',
  'no-spaces',
  'disk-quota',
  'malformed-burst',
] as const;
export type AbuseName = (typeof ABUSE_NAMES)[number];

/** How the bench runs, from environment variables so `npm run bench:abuse` needs no arguments. */
export interface AbuseBenchSettings {
  /** BENCH_ABUSE: a comma-separated subset of ABUSE_NAMES (default: all). */
  abuses: readonly AbuseName[];
  /** BENCH_ROUNDS: rounds of (ceiling, every abuse); the report gives medians over them. */
  rounds: number;
  /** BENCH_BASELINE_SECONDS: how long /health is polled with no abuse (the ceiling). */
  baselineSeconds: number;
  /** BENCH_SETTLE_SECONDS: wait after an abuse before reading the RSS it kept. */
  settleSeconds: number;
  /** BENCH_FINAL_IDLE_SECONDS: a last wait, past the pools' idle timeouts, before RSS is read once more (0: none). */
  finalIdleSeconds: number;
  /** BENCH_INTERVAL_MS: the poller's period. */
  intervalMs: number;
  /** BENCH_TIMEOUT_SECONDS: the longest one abuse may take; past it the server is replaced. */
  timeoutSeconds: number;
  /** BENCH_BURST: malformed requests in the burst, BENCH_BURST_CONCURRENCY of them in flight. */
  burst: number;
  burstConcurrency: number;
  /** BENCH_CPU_PROF: a folder; the server (and its ingestion processes) write `.cpuprofile`s there on exit. */
  cpuProfileDir: string | undefined;
  /** BENCH_EMBEDDINGS: `upstream` (the scripted upstream embeds chunks) or `none` (keyword only). */
  embeddings: 'upstream' | 'none';
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): AbuseBenchSettings {
  const abuses = (env.BENCH_ABUSE ?? ABUSE_NAMES.join(',')).split(',').map((name) => name.trim());
  for (const name of abuses) {
    if (!(ABUSE_NAMES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_ABUSE: unknown abuse '${name}' (known: ${ABUSE_NAMES.join(', ')})`);
    }
  }
  const embeddings = env.BENCH_EMBEDDINGS ?? 'upstream';
  if (embeddings !== 'upstream' && embeddings !== 'none') {
    throw new Error(`BENCH_EMBEDDINGS must be 'upstream' or 'none', got '${embeddings}'`);
  }
  return {
    abuses: ABUSE_NAMES.filter((name) => abuses.includes(name)),
    rounds: readNumber(env, 'BENCH_ROUNDS', 3, 1),
    baselineSeconds: readNumber(env, 'BENCH_BASELINE_SECONDS', 5, 1),
    settleSeconds: readNumber(env, 'BENCH_SETTLE_SECONDS', 5, 0),
    finalIdleSeconds: readNumber(env, 'BENCH_FINAL_IDLE_SECONDS', 65, 0),
    intervalMs: readNumber(env, 'BENCH_INTERVAL_MS', 10, 1),
    timeoutSeconds: readNumber(env, 'BENCH_TIMEOUT_SECONDS', 120, 5),
    burst: readNumber(env, 'BENCH_BURST', 2000, 1),
    burstConcurrency: readNumber(env, 'BENCH_BURST_CONCURRENCY', 50, 1),
    cpuProfileDir: env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : undefined,
    embeddings,
  };
}

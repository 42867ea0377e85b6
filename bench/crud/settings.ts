import path from 'node:path';
import { readNumber } from '../read-env.js';

export const CASE_NAMES = ['retrieve', 'create'] as const;
export type CaseName = (typeof CASE_NAMES)[number];

/** How the bench runs, from environment variables so `npm run bench:crud` needs no arguments. */
export interface BenchSettings {
  /** BENCH_ROUNDS: rounds; the order of ceiling and ours is reversed every round. */
  rounds: number;
  /** BENCH_DURATION: seconds measured per endpoint, variant and round. */
  duration: number;
  /** BENCH_WARMUP: seconds of unrecorded load just before each measurement (0 to skip). */
  warmup: number;
  /** BENCH_CONNECTIONS: concurrent keep-alive connections autocannon holds open. */
  connections: number;
  /** BENCH_CASE: comma-separated subset of `retrieve,create`. */
  cases: CaseName[];
  /** BENCH_CPU_PROF: a folder; our server then runs with `--cpu-prof` and writes its profile there on exit. */
  cpuProfileDir: string | undefined;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const cases = (env.BENCH_CASE ?? CASE_NAMES.join(',')).split(',').map((name) => name.trim());
  for (const name of cases) {
    if (!(CASE_NAMES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_CASE: unknown case '${name}' (known: ${CASE_NAMES.join(', ')})`);
    }
  }
  return {
    rounds: readNumber(env, 'BENCH_ROUNDS', 3, 1),
    duration: readNumber(env, 'BENCH_DURATION', 5, 1),
    warmup: readNumber(env, 'BENCH_WARMUP', 1, 0),
    connections: readNumber(env, 'BENCH_CONNECTIONS', 50, 1),
    cases: cases as CaseName[],
    cpuProfileDir: env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : undefined,
  };
}

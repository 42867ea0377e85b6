import path from 'node:path';
import { readNumber } from '../read-env.js';

/** How the bench runs, from environment variables so `npm run bench:stream` needs no arguments. */
export interface StreamBenchSettings {
  /** BENCH_REPEATS: measured streams per variant and scenario in part 1 (alternating ceiling/ours). */
  repeats: number;
  /** BENCH_WARMUP: unrecorded streams per variant before each scenario of part 1. */
  warmup: number;
  /** BENCH_CHUNKS: text chunks (≈ tokens) in each part 1 completion. */
  chunks: number;
  /** BENCH_DELAY_MS: the upstream's pause between chunks in part 1's upstream-bound scenario. */
  delayMs: number;
  /** BENCH_CONCURRENT: streamed runs started at once in part 2 (0 skips part 2). */
  concurrent: number;
  /** BENCH_CONCURRENT_CHUNKS: text chunks in each part 2 completion. */
  concurrentChunks: number;
  /** BENCH_CONCURRENT_DELAY_MS: the upstream's pause between chunks in part 2. */
  concurrentDelayMs: number;
  /** BENCH_PART: `latency`, `concurrency` or both (default). */
  parts: ReadonlySet<'latency' | 'concurrency'>;
  /** BENCH_CPU_PROF: a folder; our server then writes a `.cpuprofile` there when it stops. */
  cpuProfileDir: string | undefined;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): StreamBenchSettings {
  const parts = (env.BENCH_PART ?? 'latency,concurrency').split(',').map((part) => part.trim());
  for (const part of parts) {
    if (part !== 'latency' && part !== 'concurrency')
      throw new Error(`BENCH_PART: unknown part '${part}' (known: latency, concurrency)`);
  }
  return {
    repeats: readNumber(env, 'BENCH_REPEATS', 50, 1),
    warmup: readNumber(env, 'BENCH_WARMUP', 5, 0),
    chunks: readNumber(env, 'BENCH_CHUNKS', 200, 2),
    delayMs: readNumber(env, 'BENCH_DELAY_MS', 2, 1),
    concurrent: readNumber(env, 'BENCH_CONCURRENT', 1000, 0),
    concurrentChunks: readNumber(env, 'BENCH_CONCURRENT_CHUNKS', 50, 1),
    concurrentDelayMs: readNumber(env, 'BENCH_CONCURRENT_DELAY_MS', 10, 0),
    parts: new Set(parts as Array<'latency' | 'concurrency'>),
    cpuProfileDir: env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : undefined,
  };
}

/**
 * Code interpreter latency: our bubblewrap session against a bare python3 running a tiny
 * exec-and-reply driver outside any sandbox (the ceiling), measured in the same run, alternating
 * which goes first each round. Prints median/p95 per case and ours/ceiling.
 *
 *   node --import tsx bench/code-interpreter/run.ts
 *   BENCH_ROUNDS=5 BENCH_CALLS=50 node --import tsx bench/code-interpreter/run.ts
 *   BENCH_RUNS=0 node --import tsx bench/code-interpreter/run.ts   # the kernel only, no call inside a run
 *   BENCH_CPU_PROF=/tmp/ci-prof node --import tsx bench/code-interpreter/run.ts   # + a profile of the server
 *
 * Then a code_interpreter call inside a streamed run, end to end, against the same work without our server
 * (in-run.ts).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BubblewrapSandbox, type SandboxSession } from '../../src/tools/code-interpreter/index.js';
import { BareKernel, type Kernel } from './bare-kernel.js';
import { IN_RUN_GOAL_MS, type InRunCase, measureInRun } from './in-run.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 50);
const WARMUP_CALLS = 5;
/** Runs per case of the code_interpreter call inside a run (0 skips that part). */
const IN_RUN_RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CODE = 'print(1)';

function sandboxKernel(session: SandboxSession): Kernel {
  return {
    call: async (code) => (await session.execute(code, {})).logs,
    close: () => session.close(),
  };
}

interface Case {
  name: string;
  cold: () => Promise<Kernel>;
}

async function timeColdStart(open: () => Promise<Kernel>): Promise<number> {
  const started = performance.now();
  const kernel = await open();
  const logs = await kernel.call(CODE);
  const elapsed = performance.now() - started;
  if (logs.trim() !== '1') throw new Error(`unexpected output: ${logs}`);
  await kernel.close();
  return elapsed;
}

async function timeWarmCalls(kernel: Kernel, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let call = 0; call < count; call += 1) {
    const started = performance.now();
    await kernel.call(CODE);
    samples.push(performance.now() - started);
  }
  return samples;
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function format(milliseconds: number): string {
  return milliseconds.toFixed(2).padStart(9);
}

function printLoad(moment: string): void {
  console.log(`Load average (1 min) at ${moment}: ${loadavg()[0]!.toFixed(2)} on ${cpus().length} CPUs`);
}

async function main(): Promise<void> {
  printLoad('start');
  const sandbox = await BubblewrapSandbox.create();
  if (!sandbox.available) throw new Error(`sandbox unavailable: ${sandbox.unavailableReason}`);
  const root = await mkdtemp(join(tmpdir(), 'bench-code-interpreter-'));
  await chmod(root, 0o711);
  let sessionNumber = 0;
  const cases: Case[] = [
    {
      name: 'bubblewrap session',
      cold: async () => {
        sessionNumber += 1;
        return sandboxKernel(await sandbox.openSession({ workDir: join(root, `s${sessionNumber}`) }));
      },
    },
    { name: 'bare python3 (ceiling)', cold: async () => new BareKernel() },
  ];
  const cold = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
  const warm = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
  const warmKernels = new Map<string, Kernel>();
  for (const entry of cases) {
    const kernel = await entry.cold();
    await timeWarmCalls(kernel, WARMUP_CALLS);
    warmKernels.set(entry.name, kernel);
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const entry of order) {
      cold.get(entry.name)!.push(await timeColdStart(entry.cold));
      warm.get(entry.name)!.push(...(await timeWarmCalls(warmKernels.get(entry.name)!, CALLS_PER_ROUND)));
    }
  }
  for (const kernel of warmKernels.values()) await kernel.close();
  await rm(root, { recursive: true, force: true });

  console.log(`code interpreter: ${ROUNDS} rounds, ${CALLS_PER_ROUND} warm calls per round, code: ${CODE}`);
  console.log(`${'case'.padEnd(32)}${'median ms'.padStart(10)}${'p95 ms'.padStart(10)}`);
  for (const [label, samples] of [
    ['cold', cold],
    ['warm', warm],
  ] as const) {
    for (const entry of cases) {
      const values = samples.get(entry.name)!;
      const name = `${label}: ${entry.name}`.padEnd(32);
      console.log(`${name}${format(percentile(values, 0.5))} ${format(percentile(values, 0.95))}`);
    }
    const ours = percentile(samples.get(cases[0]!.name)!, 0.5);
    const ceiling = percentile(samples.get(cases[1]!.name)!, 0.5);
    const ratio = (ours / ceiling).toFixed(2).padStart(9);
    console.log(`${`${label}: ours/ceiling (median)`.padEnd(32)}${ratio}x  overhead ${(ours - ceiling).toFixed(2)} ms`);
  }
  if (IN_RUN_RUNS > 0) {
    const bare = {
      cold: percentile(cold.get(cases[1]!.name)!, 0.5),
      warm: percentile(warm.get(cases[1]!.name)!, 0.5),
    };
    await printInRun(bare);
  }
}

/** The call inside a run: ours and the ceiling per case, the overhead, and the goal. */
async function printInRun(bare: { cold: number; warm: number }): Promise<void> {
  console.error(`code_interpreter inside a run: ${IN_RUN_RUNS} runs per case`);
  const profileDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
  const result = await measureInRun(CODE, IN_RUN_RUNS, 3, profileDir);
  console.log('');
  console.log(
    `code_interpreter call inside a streamed run (${CODE}), ${result.runs} runs per case: ms from the request to the ` +
      "call's output, and to thread.run.completed",
  );
  console.log(
    `${'case'.padEnd(58)}${'output p50'.padStart(11)}${'p95'.padStart(9)}${'completed p50'.padStart(15)}${'p95'.padStart(9)}`,
  );
  const line = (name: string, timings: InRunCase['ours']) =>
    console.log(
      `${name.padEnd(58)}${format(
        percentile(
          timings.map((t) => t.outputMs),
          0.5,
        ),
      ).padStart(11)}` +
        `${format(
          percentile(
            timings.map((t) => t.outputMs),
            0.95,
          ),
        )}` +
        `${format(
          percentile(
            timings.map((t) => t.completedMs),
            0.5,
          ),
        ).padStart(15)}` +
        `${format(
          percentile(
            timings.map((t) => t.completedMs),
            0.95,
          ),
        )}`,
    );
  for (const [label, entry, bareMs] of [
    ['cold', result.cold, bare.cold],
    ['warm', result.warm, bare.warm],
  ] as const) {
    console.log(`${label}: ${entry.name}`);
    line('  ours (server, worker, sandbox)', entry.ours);
    line('  ceiling (upstream streamed directly + bare python3)', entry.ceiling);
    const median = (timings: InRunCase['ours'], key: 'outputMs' | 'completedMs') =>
      percentile(
        timings.map((timing) => timing[key]),
        0.5,
      );
    const toOutput = median(entry.ours, 'outputMs') - median(entry.ceiling, 'outputMs');
    const toCompleted = median(entry.ours, 'completedMs') - median(entry.ceiling, 'completedMs');
    console.log(
      `  overhead p50, ours − ceiling: to the output ${toOutput.toFixed(2)} ms, to completed ${toCompleted.toFixed(2)} ms` +
        `   goal (to completed) < ${IN_RUN_GOAL_MS} ms  ${toCompleted < IN_RUN_GOAL_MS ? 'PASS' : 'MISS'}`,
    );
    console.log(
      `  ours to the output − bare python3 ${label} call alone (${bareMs.toFixed(2)} ms, above): ` +
        `${(median(entry.ours, 'outputMs') - bareMs).toFixed(2)} ms`,
    );
  }
  console.log(`errors: ${result.errors.length}  must be 0  ${result.errors.length === 0 ? 'PASS' : 'FAIL'}`);
  for (const error of [...new Set(result.errors)].slice(0, 5)) console.log(`  ${error}`);
  if (result.errors.length > 0) process.exitCode = 1;
}

await main();
printLoad('end');

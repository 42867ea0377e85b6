/**
 * Code interpreter latency: our bubblewrap session against a bare python3 running a tiny
 * exec-and-reply driver outside any sandbox (the ceiling), measured in the same run, alternating
 * which goes first each round. Prints median/p95 per case and ours/ceiling.
 *
 *   node --import tsx bench/code-interpreter/run.ts
 *   BENCH_ROUNDS=5 BENCH_CALLS=50 node --import tsx bench/code-interpreter/run.ts
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { BubblewrapSandbox, type SandboxSession } from '../../src/tools/code-interpreter/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 50);
const WARMUP_CALLS = 5;
const CODE = 'print(1)';

/** The ceiling: the least a persistent Python kernel can do per call (exec, capture stdout, reply). */
const BARE_DRIVER = [
  'import sys, json, io, contextlib',
  'namespace = {}',
  'for line in sys.stdin:',
  '    buffer = io.StringIO()',
  '    with contextlib.redirect_stdout(buffer):',
  '        exec(json.loads(line)["code"], namespace)',
  '    sys.stdout.write(json.dumps({"logs": buffer.getvalue()}) + "\\n")',
  '    sys.stdout.flush()',
].join('\n');

interface Kernel {
  call(code: string): Promise<string>;
  close(): Promise<void>;
}

class BareKernel implements Kernel {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: Array<(line: string) => void> = [];

  constructor() {
    this.#child = spawn('/usr/bin/python3', ['-u', '-c', BARE_DRIVER]);
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#waiting.shift()?.(line));
  }

  call(code: string): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting.push((line) => resolve((JSON.parse(line) as { logs: string }).logs));
      this.#child.stdin.write(`${JSON.stringify({ code })}\n`);
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('close', resolve));
    this.#child.stdin.end();
    await exited;
  }
}

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

async function main(): Promise<void> {
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
}

await main();

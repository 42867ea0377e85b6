import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeDataDir, startTestServer, type TestServer } from '../../test/helpers/test-server.js';
import { type BenchCase, type CaseContext, createCase } from './cases.js';
import { type LoadSettings, measure, type Sample, type Target } from './measure.js';
import { type CaseSamples, formatCase, type Variant } from './report.js';
import { expectOk } from './seed.js';
import { type BenchSettings, readSettings } from './settings.js';
import { type CeilingServer, startCeiling } from './start-ceiling.js';

const API_KEY = 'bench-key';

/**
 * Measures the message endpoints of our server against a bare Fastify ceiling started in the
 * same run: both are child processes, autocannon runs here, and the two alternate every round.
 */
async function main(): Promise<void> {
  const settings = readSettings();
  const profileEnv = settings.cpuProfileDir ? cpuProfileEnv(settings.cpuProfileDir) : {};
  printPreamble(settings);

  let ours: TestServer | undefined;
  let ceiling: CeilingServer | undefined;
  try {
    ours = await startTestServer({ env: { API_KEYS: `${API_KEY}=bench`, ...profileEnv } });
    ceiling = await startCeiling();
    const context: CaseContext = {
      oursUrl: ours.url,
      ceilingUrl: ceiling.url,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'openai-beta': 'assistants=v2',
        'content-type': 'application/json',
      },
    };
    const results: CaseSamples[] = [];
    for (const name of settings.cases) results.push(await runCase(await createCase(name, context), settings));

    console.log('');
    let clean = true;
    for (const entry of results) {
      const formatted = formatCase(entry);
      console.log(`${formatted.text}\n`);
      clean &&= formatted.clean;
    }
    // Errors or non-2xx answers mean we measured something other than the endpoint; the numbers are void.
    if (!clean) process.exitCode = 1;
  } finally {
    await ceiling?.stop();
    if (ours) {
      await ours.stop();
      removeDataDir(ours);
    }
  }
  printLoad('end');
  if (settings.cpuProfileDir) console.log(`CPU profile of our server written to ${settings.cpuProfileDir}`);
}

/** Other processes competing for the CPUs make every number noisier; say so next to the numbers. */
function printLoad(moment: string): void {
  const [oneMinute = 0] = os.loadavg();
  const busy = oneMinute > os.cpus().length + 1 ? ' (the machine is busy with other work: expect noisy numbers)' : '';
  console.log(`Load average (1 min) at ${moment}: ${oneMinute.toFixed(2)}${busy}`);
}

/** Node 20 rejects `--cpu-prof` in NODE_OPTIONS, so a preloaded module runs the profiler instead. */
function cpuProfileEnv(directory: string): Record<string, string> {
  mkdirSync(directory, { recursive: true });
  const preload = pathToFileURL(path.join(import.meta.dirname, 'start-cpu-profile.ts')).href;
  // tsx must be loaded first to import a .ts preload; the server's own `--import tsx` then reuses it.
  return { NODE_OPTIONS: `--import tsx --import ${preload}`, BENCH_CPU_PROF: directory };
}

async function runCase(benchCase: BenchCase, settings: BenchSettings): Promise<CaseSamples> {
  const samples: Record<Variant, Sample[]> = { ceiling: [], ours: [] };
  const load: LoadSettings = { connections: settings.connections, duration: settings.duration };
  for (let round = 0; round < settings.rounds; round++) {
    const order: Variant[] = round % 2 === 0 ? ['ceiling', 'ours'] : ['ours', 'ceiling'];
    for (const variant of order) {
      const target = variant === 'ours' ? await benchCase.ours() : benchCase.ceiling();
      await expectOk(target.url, target);
      if (settings.warmup > 0) await measure(target, { ...load, duration: settings.warmup });
      const sample = await measure(target, load);
      samples[variant].push(sample);
      logProgress(benchCase.name, round, variant, target, sample);
    }
  }
  return { name: benchCase.name, description: benchCase.description, samples };
}

function logProgress(name: string, round: number, variant: Variant, target: Target, sample: Sample): void {
  console.error(
    `  ${name} round ${round + 1} ${variant.padEnd(7)} ${target.method} ${new URL(target.url).pathname}: ` +
      `${Math.round(sample.requestsPerSecond)} req/s, p99 ${sample.latencyP99} ms, ${sample.totalRequests} requests`,
  );
}

function printPreamble(settings: BenchSettings): void {
  console.log(
    `bench/crud: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); ` +
      `${settings.rounds} rounds x ${settings.duration} s (+${settings.warmup} s warm-up), ${settings.connections} connections, ` +
      `cases: ${settings.cases.join(', ')}`,
  );
  console.log(
    'Each server runs in its own child process; autocannon runs in this process and competes for the same CPUs.',
  );
  printLoad('start');
  if (settings.cpuProfileDir) console.log('Profiling our server: its numbers include the profiler overhead.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  type Backend,
  type BackendSelection,
  type BackendServer,
  describeServer,
  ignoreTestBackend,
  readBackends,
  startBackendServer,
} from '../backends.js';
import { CpuWindow, ProcessCpu } from '../process-cpu.js';
import { type BenchCase, type CaseContext, createCase } from './cases.js';
import { LoadGenerator, type LoadSettings, type Target } from './measure.js';
import { type CaseSamples, formatCase, type MeasuredSample, type RawSqliteSample, type Variant } from './report.js';
import { expectOk, sampleMessage } from './seed.js';
import { type BenchSettings, readSettings } from './settings.js';
import { SqliteCeiling } from './sqlite-ceiling-process.js';
import { type CeilingServer, startCeiling } from './start-ceiling.js';

const API_KEY = 'bench-key';

/**
 * Measures the message endpoints of our server, on every backend selected (SQLite, PostgreSQL), against a
 * bare Fastify ceiling started in the same run, and create also against SQLite alone inserting the same rows in
 * batches: every one of them and the load generator (autocannon) are child processes, and they take turns every
 * round (the order reversed each round).
 */
async function main(): Promise<void> {
  ignoreTestBackend();
  const settings = readSettings();
  const selection = readBackends();
  const profileEnv = settings.cpuProfileDir ? cpuProfileEnv(settings.cpuProfileDir) : {};
  printPreamble(settings, selection);

  const servers = new Map<Backend, BackendServer>();
  let ceiling: CeilingServer | undefined;
  const load = LoadGenerator.start();
  const rawSqlite = settings.cases.includes('create') ? SqliteCeiling.start() : undefined;
  try {
    for (const backend of selection.backends) {
      servers.set(
        backend,
        await startBackendServer(backend, selection, 'crud', { env: { API_KEYS: `${API_KEY}=bench`, ...profileEnv } }),
      );
    }
    ceiling = await startCeiling();
    for (const entry of servers.values()) console.log(`  ${describeServer(entry, selection)}`);
    console.log(`  load generator pid ${load.pid}${rawSqlite ? `, raw SQLite ceiling pid ${rawSqlite.pid}` : ''}`);
    const context: CaseContext = {
      oursUrls: Object.fromEntries([...servers].map(([backend, entry]) => [backend, entry.server.url])),
      ceilingUrl: ceiling.url,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'openai-beta': 'assistants=v2',
        'content-type': 'application/json',
      },
    };
    const meters = new Map<Variant, VariantMeters>([
      ['ceiling', { server: ProcessCpu.ofPid(ceiling.pid), database: undefined }],
      ...[...servers].map(([backend, entry]): [Variant, VariantMeters] => [
        backend,
        { server: entry.serverCpu, database: entry.databaseCpu },
      ]),
    ]);
    const processes: CaseProcesses = { load, meters, rawSqlite: undefined };
    if (rawSqlite) {
      // Rows shaped like the messages our server stores: the JSON it answered a create with.
      const [firstUrl] = Object.values(context.oursUrls);
      processes.rawSqlite = { ceiling: rawSqlite, message: await sampleMessage(firstUrl!, context.headers) };
    }
    const results: CaseSamples[] = [];
    for (const name of settings.cases) {
      results.push(await runCase(await createCase(name, context), settings, ['ceiling', ...servers.keys()], processes));
    }

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
    await load.stop();
    await rawSqlite?.stop();
    await ceiling?.stop();
    for (const entry of servers.values()) await entry.stop();
  }
  printLoad('end');
  if (settings.cpuProfileDir) console.log(`CPU profiles of our servers written to ${settings.cpuProfileDir}`);
}

interface VariantMeters {
  server: ProcessCpu;
  database: ProcessCpu | undefined;
}

/** The processes a case measures with: the load generator, each variant's meters, the raw SQLite ceiling. */
interface CaseProcesses {
  load: LoadGenerator;
  meters: ReadonlyMap<Variant, VariantMeters>;
  rawSqlite: { ceiling: SqliteCeiling; message: Awaited<ReturnType<typeof sampleMessage>> } | undefined;
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
  const preload = pathToFileURL(path.join(import.meta.dirname, 'start-cpu-profile.mjs')).href;
  // tsx first, so the preload can import start-cpu-profile.ts; the server's own `--import tsx` then reuses it.
  return { NODE_OPTIONS: `--import tsx --import ${preload}`, BENCH_CPU_PROF: directory };
}

async function runCase(
  benchCase: BenchCase,
  settings: BenchSettings,
  variants: Variant[],
  processes: CaseProcesses,
): Promise<CaseSamples> {
  const samples: Partial<Record<Variant, MeasuredSample[]>> = Object.fromEntries(
    variants.map((variant) => [variant, []]),
  );
  const rawSamples: RawSqliteSample[] = [];
  const raw = benchCase.name === 'create' ? processes.rawSqlite : undefined;
  // The raw SQLite ceiling takes its turn right after the hello ceiling.
  const turns: Array<Variant | 'raw'> = raw ? ['ceiling', 'raw', ...variants.slice(1)] : variants;
  const load: LoadSettings = { connections: settings.connections, duration: settings.duration };
  const loadCpu = ProcessCpu.ofPid(processes.load.pid);
  for (let round = 0; round < settings.rounds; round++) {
    // Ceiling first in odd rounds, last in even ones: every variant sees both ends of the round.
    const order = round % 2 === 0 ? turns : [...turns].reverse();
    for (const variant of order) {
      if (variant === 'raw') {
        rawSamples.push(await measureRawSqlite(raw!, settings));
        console.error(
          `  ${benchCase.name} round ${round + 1} raw SQLite: ${Math.round(rawSamples.at(-1)!.rowsPerSecond)} rows/s`,
        );
        continue;
      }
      const target = variant === 'ceiling' ? benchCase.ceiling() : await benchCase.ours(variant);
      await expectOk(target.url, target);
      if (settings.warmup > 0) await processes.load.measure(target, { ...load, duration: settings.warmup });
      const variantMeters = processes.meters.get(variant)!;
      const window = new CpuWindow(
        new Map([
          ['server', variantMeters.server],
          ['load', loadCpu],
          ...(variantMeters.database ? [['database', variantMeters.database] as const] : []),
        ]),
      );
      const started = performance.now();
      const sample = await processes.load.measure(target, load);
      const cpuWindowSeconds = (performance.now() - started) / 1000;
      const used = window.stop();
      const measured: MeasuredSample = {
        ...sample,
        cpuWindowSeconds,
        serverCpuSeconds: used.get('server')!,
        databaseCpuSeconds: used.get('database'),
        loadCpuSeconds: used.get('load')!,
      };
      samples[variant]!.push(measured);
      logProgress(benchCase.name, round, variant, target, measured);
    }
  }
  return { name: benchCase.name, description: benchCase.description, variants, samples, rawSqlite: rawSamples };
}

/** One round of the raw SQLite ceiling: a warm-up as long as the others', then the measured seconds. */
async function measureRawSqlite(
  raw: NonNullable<CaseProcesses['rawSqlite']>,
  settings: BenchSettings,
): Promise<RawSqliteSample> {
  if (settings.warmup > 0) await raw.ceiling.insert(raw.message, settings.warmup);
  const meter = ProcessCpu.ofPid(raw.ceiling.pid);
  const window = new CpuWindow(new Map([['raw', meter]]));
  const sample = await raw.ceiling.insert(raw.message, settings.duration);
  return { ...sample, cpuSeconds: window.stop().get('raw')! };
}

function logProgress(name: string, round: number, variant: Variant, target: Target, sample: MeasuredSample): void {
  const database =
    sample.databaseCpuSeconds === undefined
      ? ''
      : `, db CPU ${Math.round((100 * sample.databaseCpuSeconds) / sample.cpuWindowSeconds)}%`;
  console.error(
    `  ${name} round ${round + 1} ${variant.padEnd(8)} ${target.method} ${new URL(target.url).pathname}: ` +
      `${Math.round(sample.requestsPerSecond)} req/s, p99 ${sample.latencyP99} ms, ${sample.totalRequests} requests, ` +
      `server CPU ${Math.round((100 * sample.serverCpuSeconds) / sample.cpuWindowSeconds)}%${database}, ` +
      `load generator CPU ${Math.round((100 * sample.loadCpuSeconds) / sample.cpuWindowSeconds)}%`,
  );
}

function printPreamble(settings: BenchSettings, selection: BackendSelection): void {
  console.log(
    `bench/crud: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); ` +
      `${settings.rounds} rounds x ${settings.duration} s (+${settings.warmup} s warm-up), ${settings.connections} connections, ` +
      `cases: ${settings.cases.join(', ')}; ours on ${selection.backends.join(' and ')}`,
  );
  console.log(
    'Each server, the load generator (autocannon) and the raw SQLite ceiling run in child processes of their own; ' +
      'on 2 cores the server measured and the load generator get about one each.',
  );
  console.log(
    'CPU columns: share of one core over the measured seconds (server: the process measured; db: the PostgreSQL ' +
      "backends of our server's database, not the cluster's shared WAL writer and checkpointer; load gen: autocannon).",
  );
  if (selection.note) console.log(selection.note);
  printLoad('start');
  if (settings.cpuProfileDir) console.log('Profiling our server: its numbers include the profiler overhead.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

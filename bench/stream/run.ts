import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type BackendSelection,
  type BackendServer,
  describeServer,
  ignoreTestBackend,
  readBackends,
  startBackendServer,
} from '../backends.js';
import { formatConcurrency, measureConcurrency } from './concurrency.js';
import { formatLatency, type LatencyScenario, measureLatency } from './latency.js';
import { readSettings, type StreamBenchSettings } from './settings.js';
import { type BackendTarget, benchAgent, type StreamContext } from './targets.js';
import { UpstreamProcess } from './upstream-control.js';

const API_KEY = 'bench-key';

/**
 * Streams the same scripted completion through our server (a streamed run), on every backend selected
 * (SQLite, PostgreSQL), and straight from the scripted upstream (the ceiling) in the same run: time to
 * first token and token rate one stream at a time, then 1,000 streamed runs at once with their errors,
 * wall time and the server's peak RSS.
 */
async function main(): Promise<void> {
  ignoreTestBackend();
  const settings = readSettings();
  const selection = readBackends();
  printPreamble(settings, selection);
  const agent = benchAgent();
  let upstream: UpstreamProcess | undefined;
  const servers: BackendServer[] = [];
  try {
    upstream = await UpstreamProcess.start();
    for (const backend of selection.backends) {
      servers.push(
        await startBackendServer(backend, selection, 'stream', {
          env: {
            API_KEYS: `${API_KEY}=bench`,
            OPENAI_BASE_URL: upstream.baseURL,
            OPENAI_API_KEY: 'upstream-key',
            RUN_CONCURRENCY: String(Math.max(1000, settings.concurrent)),
            ...(settings.cpuProfileDir ? cpuProfileEnv(settings.cpuProfileDir) : {}),
          },
        }),
      );
    }
    for (const entry of servers) console.log(`  ${describeServer(entry, selection)}`);
    console.log(`  scripted upstream pid ${upstream.pid}, SSE client (this process) pid ${process.pid}`);
    const headers = { authorization: `Bearer ${API_KEY}`, 'openai-beta': 'assistants=v2' };
    const ceiling: StreamContext = { serverUrl: '', upstreamBaseUrl: upstream.baseURL, headers, agent };
    const targets: BackendTarget[] = servers.map((entry) => ({
      backend: entry.backend,
      context: { ...ceiling, serverUrl: entry.server.url },
      server: entry.server,
      serverCpu: entry.serverCpu,
      databaseCpu: entry.databaseCpu,
    }));
    const reports: Array<{ text: string; clean: boolean }> = [];

    if (settings.parts.has('latency')) {
      const text = chunkTexts(settings.chunks);
      const scenarios: LatencyScenario[] = [
        {
          name: `${settings.chunks} chunks, no delay (time bound by the pipeline)`,
          script: { text },
          goal: 'total-time',
        },
        {
          name: `${settings.chunks} chunks, ${settings.delayMs} ms between chunks (rate bound by the upstream)`,
          script: { text, chunkDelayMs: settings.delayMs },
          goal: 'token-rate',
        },
      ];
      for (const scenario of scenarios) {
        console.error(`part 1: ${scenario.name}`);
        const result = await measureLatency(ceiling, targets, upstream, scenario, {
          repeats: settings.repeats,
          warmup: settings.warmup,
          expectedDeltas: settings.chunks,
        });
        reports.push(formatLatency(result));
      }
    }
    if (settings.parts.has('concurrency') && settings.concurrent > 0) {
      console.error(`part 2: ${settings.concurrent} concurrent streamed runs`);
      const result = await measureConcurrency(ceiling, targets, upstream, {
        streams: settings.concurrent,
        script: { text: chunkTexts(settings.concurrentChunks), chunkDelayMs: settings.concurrentDelayMs },
        expectedDeltas: settings.concurrentChunks,
      });
      reports.push(formatConcurrency(result));
    }

    console.log('');
    for (const report of reports) console.log(`${report.text}\n`);
    // Errors mean we measured something other than the streaming path; the numbers are void.
    if (reports.some((report) => !report.clean)) process.exitCode = 1;
  } finally {
    agent.destroy();
    for (const entry of servers) await entry.stop();
    await upstream?.close();
  }
  printLoad('end');
  if (settings.cpuProfileDir) console.log(`CPU profiles of our servers written to ${settings.cpuProfileDir}`);
}

/** Node 20 rejects `--cpu-prof` in NODE_OPTIONS, so bench/crud's preloaded module runs the profiler instead. */
function cpuProfileEnv(directory: string): Record<string, string> {
  mkdirSync(directory, { recursive: true });
  const preload = pathToFileURL(path.join(import.meta.dirname, '../crud/start-cpu-profile.mjs')).href;
  return { NODE_OPTIONS: `--import tsx --import ${preload}`, BENCH_CPU_PROF: directory };
}

/** `count` one-token chunks (`tok0 `, `tok1 `, ...), each sent as its own delta. */
function chunkTexts(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `tok${index} `);
}

/** Other processes competing for the CPUs make every number noisier; say so next to the numbers. */
function printLoad(moment: string): void {
  const [oneMinute = 0] = os.loadavg();
  const busy = oneMinute > os.cpus().length + 1 ? ' (the machine is busy with other work: expect noisy numbers)' : '';
  console.log(`Load average (1 min) at ${moment}: ${oneMinute.toFixed(2)}${busy}`);
}

function printPreamble(settings: StreamBenchSettings, selection: BackendSelection): void {
  console.log(
    `bench/stream: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); ` +
      `part 1: ${settings.repeats} streams per variant (+${settings.warmup} warm-up), ${settings.chunks} chunks; ` +
      `part 2: ${settings.concurrent} concurrent runs, ${settings.concurrentChunks} chunks, ${settings.concurrentDelayMs} ms apart; ` +
      `ours on ${selection.backends.join(' and ')}`,
  );
  console.log(
    'Our server and the scripted upstream run in child processes of their own; the SSE client runs in this process. ' +
      'Every run of ours starts on a fresh thread of one message, and the ceiling sends the request ours sends upstream.',
  );
  console.log(
    "CPU: our server's process, and the PostgreSQL backends of its database (not the cluster's shared WAL writer " +
      'and checkpointer); shares are of one core.',
  );
  if (selection.note) console.log(selection.note);
  printLoad('start');
  if (settings.cpuProfileDir) console.log('Profiling our server: its numbers include the profiler overhead.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

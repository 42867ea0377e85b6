import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI, { toFile } from 'openai';
import {
  type BackendServer,
  describeServer,
  ignoreTestBackend,
  readBackends,
  startBackendServer,
} from '../backends.js';
import { readNumber } from '../read-env.js';
import { prose } from './text.js';
import { treeCpuSeconds } from './tree-cpu.js';

const GOAL_RATIO = 0.5;
const API_KEY = 'bench-key';
const MB = 1024 * 1024;

interface Settings {
  rounds: number;
  files: number;
  fileBytes: number;
}

function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    rounds: readNumber(env, 'BENCH_ROUNDS', 5, 1),
    files: readNumber(env, 'BENCH_FILES', 4, 1),
    fileBytes: readNumber(env, 'BENCH_FILE_KB', 1024, 1) * 1024,
  };
}

/**
 * Ingestion throughput against the tokenizer's own, in the same run: (1) gpt-tokenizer's o200k `encode` alone on the
 * text of the files, in this process, one thread (the ceiling: ingestion must at least tokenize every byte);
 * (2) end to end through the server: the files (uploaded before the clock starts) added to a new vector store,
 * timed from `POST /vector_stores` until every file is `completed`. Keyword index only (EMBEDDING_MODEL=none): no
 * embedding provider in the path. Median MB/s over rounds after one unrecorded round, ceiling and ours alternating;
 * goal ours ≥ 0.5 × ceiling. Beside it, CPU seconds per MB of each side (the server with its ingestion processes, and
 * its database's backends on PostgreSQL), which a busy machine disturbs less than wall time.
 */
async function main(): Promise<void> {
  ignoreTestBackend();
  const settings = readSettings();
  const selection = readBackends();
  // Every round ingests text neither side has seen: each tokenizer's merge cache is as warm as a real server's.
  const textsOf = (round: number) =>
    Array.from({ length: settings.files }, (_, index) => prose(settings.fileBytes, round * 1_000 + index + 1));
  const totalMb = (settings.files * settings.fileBytes) / MB;
  console.log('bench/ingest: vector store file ingestion against the tokenizer alone');
  console.log(
    `  ${settings.rounds} rounds, ${settings.files} text files of ${(settings.fileBytes / 1024).toFixed(0)} KB ` +
      `(${totalMb.toFixed(2)} MB), EMBEDDING_MODEL=none (keyword index only); ` +
      `load average at start ${loadAverage()} (${os.cpus().length} CPUs)`,
  );
  if (selection.note) console.log(`  ${selection.note}`);
  const servers: BackendServer[] = [];
  let failed = false;
  try {
    for (const backend of selection.backends) {
      servers.push(
        await startBackendServer(backend, selection, 'ingest', {
          env: { API_KEYS: API_KEY, EMBEDDING_MODEL: 'none', ...cpuProfileEnv() },
        }),
      );
    }
    for (const entry of servers) console.log(`  ${describeServer(entry, selection)}`);
    const targets = servers.map((entry) => ({
      entry,
      client: new OpenAI({ baseURL: entry.server.baseURL, apiKey: API_KEY, maxRetries: 0, timeout: 300_000 }),
      samples: [] as number[],
      cpuPerMb: [] as number[],
      splits: [] as NonNullable<Measured['split']>[],
    }));
    // One unrecorded round first: the ingestion processes start and the code warms up.
    const ceiling: Measured[] = [];
    for (let round = 0; round <= settings.rounds; round++) {
      const texts = textsOf(round);
      const uploaded = await Promise.all(targets.map((target) => upload(target.client, texts)));
      const ceilingFirst = round % 2 === 0;
      const measured: Measured[] = [];
      if (ceilingFirst) measured.push(tokenizerAlone(texts, totalMb));
      for (const [index, target] of targets.entries()) {
        const result = await ingestEndToEnd(target.client, target.entry, uploaded[index]!, totalMb);
        if (round > 0) {
          target.samples.push(result.mbPerSecond);
          target.cpuPerMb.push(result.cpuSecondsPerMb);
          target.splits.push(result.split!);
        }
      }
      if (!ceilingFirst) measured.push(tokenizerAlone(texts, totalMb));
      if (round > 0) ceiling.push(...measured);
    }
    const ceilingRate = median(ceiling.map((entry) => entry.mbPerSecond));
    const ceilingCpu = median(ceiling.map((entry) => entry.cpuSecondsPerMb));
    console.log(
      `\n  tokenizer alone (o200k encode, 1 thread): ${ceilingRate.toFixed(2)} MB/s median ` +
        `[${list(ceiling.map((entry) => entry.mbPerSecond))}], ${ceilingCpu.toFixed(3)} CPU s/MB`,
    );
    for (const target of targets) {
      const ours = median(target.samples);
      const ratio = ours / ceilingRate;
      const cpu = median(target.cpuPerMb);
      console.log(
        `  ${target.entry.backend} ingestion end to end: ${ours.toFixed(2)} MB/s median [${list(target.samples)}], ` +
          `${cpu.toFixed(3)} CPU s/MB`,
      );
      const part = (name: 'server' | 'processes' | 'database') =>
        median(target.splits.map((split) => split[name])).toFixed(3);
      console.log(
        `    CPU s/MB: server ${part('server')}, ingestion processes ${part('processes')}` +
          (target.entry.database ? `, database backends ${part('database')}` : ''),
      );
      console.log(
        `  ${target.entry.backend} ours/tokenizer MB/s: ${ratio.toFixed(2)}  goal ≥ ${GOAL_RATIO}  ${ratio >= GOAL_RATIO ? 'PASS' : 'MISS'}` +
          `   (CPU per MB, tokenizer/ours: ${(ceilingCpu / cpu).toFixed(2)})`,
      );
    }
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    for (const entry of servers) await entry.stop();
  }
  console.log(`  load average at end ${loadAverage()}`);
  if (failed) process.exitCode = 1;
}

/** The texts as files of the server (uploaded before any clock starts); their ids. */
async function upload(client: OpenAI, texts: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, text] of texts.entries()) {
    const file = await client.files.create({
      file: await toFile(Buffer.from(text), `bench-${index}.txt`, { type: 'text/plain' }),
      purpose: 'assistants',
    });
    ids.push(file.id);
  }
  return ids;
}

interface Measured {
  mbPerSecond: number;
  cpuSecondsPerMb: number;
  /** Ours: CPU s/MB of the server process, its ingestion processes and (PostgreSQL) its database's backends. */
  split?: { server: number; processes: number; database: number };
}

function tokenizerAlone(texts: readonly string[], totalMb: number): Measured {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let tokens = 0;
  for (const text of texts) tokens += encode(text).length;
  if (tokens === 0) throw new Error('no tokens');
  const cpu = process.cpuUsage(cpuBefore);
  return {
    mbPerSecond: totalMb / ((performance.now() - started) / 1000),
    cpuSecondsPerMb: (cpu.user + cpu.system) / 1e6 / totalMb,
  };
}

async function ingestEndToEnd(
  client: OpenAI,
  entry: BackendServer,
  fileIds: readonly string[],
  totalMb: number,
): Promise<Measured> {
  const before = { ...treeCpuSeconds(entry.server.pid), database: entry.databaseCpu?.seconds() ?? 0 };
  const started = performance.now();
  const store = await client.vectorStores.create({ name: 'bench', file_ids: [...fileIds] });
  for (;;) {
    const current = await client.vectorStores.retrieve(store.id);
    const counts = current.file_counts;
    if (counts.failed > 0 || counts.cancelled > 0) {
      const failed = await client.vectorStores.files.list(store.id, { filter: 'failed' });
      const errors = failed.data.map((file) => file.last_error?.message);
      throw new Error(`ingestion failed: ${JSON.stringify(counts)} ${JSON.stringify(errors)}`);
    }
    if (counts.completed === fileIds.length) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const seconds = (performance.now() - started) / 1000;
  const after = { ...treeCpuSeconds(entry.server.pid), database: entry.databaseCpu?.seconds() ?? 0 };
  const split = {
    server: (after.own - before.own) / totalMb,
    processes: (after.descendants - before.descendants) / totalMb,
    database: (after.database - before.database) / totalMb,
  };
  await client.vectorStores.delete(store.id);
  for (const fileId of fileIds) await client.files.delete(fileId);
  return { mbPerSecond: totalMb / seconds, cpuSecondsPerMb: split.server + split.processes + split.database, split };
}

/**
 * BENCH_CPU_PROF=<dir>: the server and its ingestion processes each write a `.cpuprofile` there when they exit (the
 * preload bench/crud uses; `--cpu-prof` itself is not allowed in NODE_OPTIONS).
 */
function cpuProfileEnv(): Record<string, string> {
  const directory = process.env.BENCH_CPU_PROF;
  if (!directory) return {};
  mkdirSync(directory, { recursive: true });
  const preload = pathToFileURL(path.join(import.meta.dirname, '../crud/start-cpu-profile.mjs')).href;
  return { NODE_OPTIONS: `--import tsx --import ${preload}`, BENCH_CPU_PROF: directory };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function list(values: readonly number[]): string {
  return values.map((value) => value.toFixed(2)).join(', ');
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

await main();

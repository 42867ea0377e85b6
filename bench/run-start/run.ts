import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { removeDataDir, startTestServer, type TestServer } from '../../test/helpers/test-server.js';
import { type ScriptedUpstream, startScriptedUpstream } from '../../test/upstream/index.js';
import { type Backend, type BenchDatabase, createBenchDatabase, ignoreTestBackend, readBackends } from '../backends.js';
import { readNumber } from '../read-env.js';
import { type SeededThread, seedThreads } from './seed.js';

const GOAL_RATIO = 1.5;
const API_KEY = 'bench-key';

interface Settings {
  rounds: number;
  smallMessages: number;
  bigMessages: number;
  /** The runs' `max_prompt_tokens`: about as many messages as the small thread holds fit in it. */
  maxPromptTokens: number;
}

function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    rounds: readNumber(env, 'BENCH_ROUNDS', 15, 1),
    smallMessages: readNumber(env, 'BENCH_SMALL_MESSAGES', 100, 1),
    bigMessages: readNumber(env, 'BENCH_BIG_MESSAGES', 100_000, 1),
    maxPromptTokens: readNumber(env, 'BENCH_MAX_PROMPT_TOKENS', 6_000, 256),
  };
}

/** One timed run start: ms from `POST /runs` to the upstream receiving the model request, and what it carried. */
interface Sample {
  ms: number;
  promptMessages: number;
}

/**
 * Run start against thread length: the time from `POST /v1/threads/{id}/runs` until the scripted upstream has
 * received the model request, on a thread of 100 messages and on one of 100,000, alternating (the order reversed
 * every round), median over rounds after one unrecorded warm-up round. Goal: big/small ≤ 1.5.
 */
async function main(): Promise<void> {
  ignoreTestBackend();
  const settings = readSettings();
  const selection = readBackends();
  console.log('bench/run-start: run start (create → model request at the upstream) against thread length');
  console.log(
    `  ${settings.rounds} rounds (+1 warm-up), threads of ${settings.smallMessages} and ${settings.bigMessages} messages, ` +
      `max_prompt_tokens ${settings.maxPromptTokens}; load average at start ${loadAverage()} (${os.cpus().length} CPUs)`,
  );
  if (selection.note) console.log(`  ${selection.note}`);
  const upstream = await startScriptedUpstream();
  upstream.respond({ text: ['Noted.'] });
  let failed = false;
  try {
    for (const backend of selection.backends) {
      const target = await prepare(backend, selection.adminUrl, selection.synchronousCommit, settings, upstream);
      try {
        failed = !(await measure(backend, target, upstream, settings)) || failed;
      } finally {
        await target.server.stop();
        removeDataDir(target.server);
        await target.database?.drop();
      }
    }
  } finally {
    await upstream.close();
  }
  console.log(`  load average at end ${loadAverage()}`);
  if (failed) process.exitCode = 1;
}

interface Target {
  server: TestServer;
  database: BenchDatabase | undefined;
  small: SeededThread;
  big: SeededThread;
}

async function prepare(
  backend: Backend,
  adminUrl: string | undefined,
  synchronousCommit: string | undefined,
  settings: Settings,
  upstream: ScriptedUpstream,
): Promise<Target> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-run-start-'));
  const database =
    backend === 'postgres' ? await createBenchDatabase(adminUrl!, 'runstart', synchronousCommit) : undefined;
  const started = performance.now();
  const [small, big] = await seedThreads({ dataDir, databaseUrl: database?.url }, [
    settings.smallMessages,
    settings.bigMessages,
  ]);
  console.log(
    `  ${backend}: seeded ${settings.smallMessages + settings.bigMessages} messages through the store in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s (before the server started)`,
  );
  const server = await startTestServer({
    dataDir,
    env: {
      API_KEYS: API_KEY,
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: 'upstream-key',
      EMBEDDING_MODEL: 'none',
      ...(database ? { DATABASE_URL: database.url } : {}),
    },
  });
  return { server, database, small: small!, big: big! };
}

async function measure(backend: Backend, target: Target, upstream: ScriptedUpstream, settings: Settings) {
  const client = new OpenAI({ baseURL: target.server.baseURL, apiKey: API_KEY, maxRetries: 0, timeout: 120_000 });
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'Answer briefly.' });
  const samples = { small: [] as Sample[], big: [] as Sample[] };
  for (let round = 0; round <= settings.rounds; round++) {
    const order = round % 2 === 0 ? (['small', 'big'] as const) : (['big', 'small'] as const);
    for (const which of order) {
      const sample = await timeRunStart(client, upstream, target[which].id, assistant.id, settings);
      if (round > 0) samples[which].push(sample);
    }
  }
  const small = median(samples.small.map((sample) => sample.ms));
  const big = median(samples.big.map((sample) => sample.ms));
  const ratio = big / small;
  const met = ratio <= GOAL_RATIO;
  const promptMessages = (list: Sample[]) => {
    const counts = list.map((sample) => sample.promptMessages);
    return `${Math.min(...counts)}–${Math.max(...counts)}`;
  };
  console.log(`\n${backend} (server pid ${target.server.pid})`);
  console.log(
    `  run start, ${target.small.messages} messages:  ${small.toFixed(1)} ms median ` +
      `[${samples.small.map((sample) => sample.ms.toFixed(1)).join(', ')}], ${promptMessages(samples.small)} messages in the prompt`,
  );
  console.log(
    `  run start, ${target.big.messages} messages: ${big.toFixed(1)} ms median ` +
      `[${samples.big.map((sample) => sample.ms.toFixed(1)).join(', ')}], ${promptMessages(samples.big)} messages in the prompt`,
  );
  console.log(
    `  big/small: ${ratio.toFixed(2)}  goal ≤ ${GOAL_RATIO}  ${met ? 'PASS' : 'MISS'}   (load average ${loadAverage()})`,
  );
  return true;
}

async function timeRunStart(
  client: OpenAI,
  upstream: ScriptedUpstream,
  threadId: string,
  assistantId: string,
  settings: Settings,
): Promise<Sample> {
  const before = upstream.requests.length;
  const started = performance.now();
  const arrived = upstream.waitForRequests(before + 1, 60_000).then(() => performance.now());
  const run = await client.beta.threads.runs.create(threadId, {
    assistant_id: assistantId,
    max_prompt_tokens: settings.maxPromptTokens,
  });
  const ms = (await arrived) - started;
  const request = upstream.requests[before]!;
  for (;;) {
    const current = await client.beta.threads.runs.retrieve(run.id, { thread_id: threadId });
    if (current.status === 'completed') break;
    if (!['queued', 'in_progress'].includes(current.status))
      throw new Error(`run ${run.id} ended ${current.status}: ${JSON.stringify(current.last_error)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The prompt: the system message, then the thread's messages that fit.
  const messages = (request.body as { messages: Array<{ role: string }> }).messages;
  return { ms, promptMessages: messages.filter((message) => message.role !== 'system').length };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

await main();

import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { removeDataDir, startTestServer, type TestServer } from '../../test/helpers/test-server.js';
import { type RecordedRequest, startScriptedUpstream } from '../../test/upstream/index.js';
import { type SseMessage, streamSse } from '../stream/sse-client.js';
import { BareKernel, type Kernel } from './bare-kernel.js';

const API_KEY = 'bench-key';

/** The code interpreter's overhead goal (ours − ceiling < 50 ms), applied here to a whole call inside a run. */
export const IN_RUN_GOAL_MS = 50;

/** Times from just before the request is sent, in ms: the call's output reached the client, then the run ended. */
export interface CallTiming {
  outputMs: number;
  completedMs: number;
}

export interface InRunCase {
  name: string;
  ours: CallTiming[];
  ceiling: CallTiming[];
}

export interface InRunResult {
  code: string;
  runs: number;
  cold: InRunCase;
  warm: InRunCase;
  errors: string[];
}

/**
 * A code_interpreter call inside a streamed run, end to end: the scripted upstream asks for `code` as a
 * code_interpreter tool call, then answers the tool's output with a short text. Ours is timed from the request
 * (`POST /v1/threads/{id}/runs`, `stream: true`) to the event that carries the call's output, then to
 * `thread.run.completed`. The ceiling does the same work without our server: the two model calls streamed straight
 * from the upstream (the very requests our server sent for such a run) and the code run by the bare python3 driver
 * in between. Cold: a fresh thread per run (ours opens a sandbox session; the ceiling spawns its python3). Warm: one
 * thread whose session is open (the ceiling reuses one python3). Turns alternate, the order reversed every run.
 */
export async function measureInRun(
  code: string,
  runs: number,
  warmup: number,
  cpuProfileDir: string | undefined,
): Promise<InRunResult> {
  const upstream = await startScriptedUpstream();
  // The tool's output comes back as a `tool` message: answer it with text, anything else with the call.
  upstream.respond((request) =>
    hasToolResult(request) ? { text: 'Done.' } : { toolCalls: [{ name: 'code_interpreter', arguments: { code } }] },
  );
  const modelRequests = () => upstream.requests.filter((request) => request.path === '/v1/chat/completions');
  const sandboxDir = mkdtempSync(path.join(tmpdir(), 'bench-ci-in-run-'));
  // The sandbox's unprivileged user must be able to traverse to each thread's folder.
  chmodSync(sandboxDir, 0o711);
  let server: TestServer | undefined;
  const agent = new http.Agent({ keepAlive: true });
  const bareWarm = new BareKernel();
  try {
    server = await startTestServer({
      env: {
        API_KEYS: `${API_KEY}=bench`,
        OPENAI_BASE_URL: upstream.baseURL,
        OPENAI_API_KEY: 'upstream-key',
        CODE_INTERPRETER_DIR: sandboxDir,
        EMBEDDING_MODEL: 'none',
        ...(cpuProfileDir ? cpuProfileEnv(cpuProfileDir) : {}),
      },
    });
    if (cpuProfileDir) console.error(`  profiling our server (pid ${server.pid}) into ${cpuProfileDir}`);
    const api = new Api(server.url, agent);
    const assistantId = (
      await api.post<{ id: string }>('/v1/assistants', { model: 'gpt-4o-mini', tools: [{ type: 'code_interpreter' }] })
    ).id;
    // One run shows what our server asks the upstream; the ceiling sends exactly that.
    const errors: string[] = [];
    const callsBefore = modelRequests().length;
    const probe = await oursRun(api, await api.thread(), assistantId);
    if (probe.error) throw new Error(`the probe run failed: ${probe.error}`);
    const [toolCallRequest, answerRequest] = modelRequests()
      .slice(callsBefore)
      .map((request) => request.body as Record<string, unknown>);
    if (!toolCallRequest || !answerRequest) throw new Error('the probe run did not make two model calls');
    const direct = (body: Record<string, unknown>) =>
      streamSse({
        url: `${upstream.baseURL}/chat/completions`,
        headers: { authorization: 'Bearer upstream-key' },
        body,
        agent,
        isDelta: () => false,
      });
    const ceiling = async (kernel: Kernel | undefined): Promise<CallTiming> => {
      const started = performance.now();
      const first = await direct(toolCallRequest);
      const used = kernel ?? new BareKernel();
      const logs = await used.call(code);
      const outputMs = performance.now() - started;
      if (kernel === undefined) void used.close();
      const second = await direct(answerRequest);
      const completedMs = performance.now() - started;
      const problem =
        first.error ?? second.error ?? (logs.trim() === '' ? 'no output from the bare kernel' : undefined);
      if (problem) errors.push(`ceiling: ${problem}`);
      return { outputMs, completedMs };
    };

    const cold: InRunCase = {
      name: 'fresh thread (ours opens a sandbox session, the ceiling spawns python3)',
      ours: [],
      ceiling: [],
    };
    const warm: InRunCase = { name: 'same thread (session open; one python3 kept running)', ours: [], ceiling: [] };
    const warmThread = await api.thread();
    const ours = async (threadId: string): Promise<CallTiming> => {
      const run = await oursRun(api, threadId, assistantId);
      if (run.error) errors.push(`ours: ${run.error}`);
      return run.timing;
    };
    for (let index = 0; index < warmup; index++) {
      await ours(warmThread);
      await ceiling(bareWarm);
    }
    for (let index = 0; index < runs; index++) {
      const oursFirst = index % 2 === 0;
      const coldThread = await api.thread();
      if (oursFirst) cold.ours.push(await ours(coldThread));
      cold.ceiling.push(await ceiling(undefined));
      if (!oursFirst) cold.ours.push(await ours(coldThread));
      if (oursFirst) warm.ours.push(await ours(warmThread));
      warm.ceiling.push(await ceiling(bareWarm));
      if (!oursFirst) warm.ours.push(await ours(warmThread));
    }
    return { code, runs, cold, warm, errors };
  } finally {
    agent.destroy();
    await bareWarm.close();
    if (server) {
      await server.stop();
      removeDataDir(server);
    }
    await upstream.close();
    rmSync(sandboxDir, { recursive: true, force: true });
  }
}

/** Node 20 rejects `--cpu-prof` in NODE_OPTIONS, so bench/crud's preloaded module runs the profiler instead. */
function cpuProfileEnv(directory: string): Record<string, string> {
  mkdirSync(directory, { recursive: true });
  const preload = pathToFileURL(path.join(import.meta.dirname, '../crud/start-cpu-profile.mjs')).href;
  return { NODE_OPTIONS: `--import tsx --import ${preload}`, BENCH_CPU_PROF: directory };
}

function hasToolResult(request: RecordedRequest): boolean {
  const messages = (request.body as { messages?: Array<{ role: string }> }).messages ?? [];
  return messages.some((message) => message.role === 'tool');
}

/** One streamed run on `threadId`, timed to the event carrying the call's output and to `thread.run.completed`. */
async function oursRun(
  api: Api,
  threadId: string,
  assistantId: string,
): Promise<{ timing: CallTiming; error: string | undefined }> {
  const timing: CallTiming = { outputMs: Number.NaN, completedMs: Number.NaN };
  const started = performance.now();
  const stream = await streamSse({
    url: `${api.baseUrl}/v1/threads/${threadId}/runs`,
    headers: api.headers,
    body: { assistant_id: assistantId, stream: true },
    agent: api.agent,
    isDelta: (message) => message.event === 'thread.message.delta',
    onEvent: (message) => {
      const now = performance.now() - started;
      if (Number.isNaN(timing.outputMs) && carriesOutput(message)) timing.outputMs = now;
      if (message.event === 'thread.run.completed') timing.completedMs = now;
    },
  });
  const error =
    stream.error ??
    (Number.isNaN(timing.outputMs)
      ? 'no event carried the code_interpreter output'
      : Number.isNaN(timing.completedMs)
        ? `the run did not complete (last events: ${stream.eventNames.slice(-2).join(', ')})`
        : undefined);
  return { timing, error };
}

/** A step delta, or a completed step, holding a code_interpreter call with outputs. */
function carriesOutput(message: SseMessage): boolean {
  if (message.event !== 'thread.run.step.delta' && message.event !== 'thread.run.step.completed') return false;
  const data = JSON.parse(message.data) as {
    delta?: { step_details?: ToolCallsDetails };
    step_details?: ToolCallsDetails;
  };
  const details = data.delta?.step_details ?? data.step_details;
  return (details?.tool_calls ?? []).some((call) => (call.code_interpreter?.outputs?.length ?? 0) > 0);
}

interface ToolCallsDetails {
  tool_calls?: Array<{ code_interpreter?: { outputs?: unknown[] } }>;
}

/** Our server's JSON API, as much of it as the bench needs. */
class Api {
  readonly headers = { authorization: `Bearer ${API_KEY}`, 'openai-beta': 'assistants=v2' };

  constructor(
    readonly baseUrl: string,
    readonly agent: http.Agent,
  ) {}

  /** A fresh thread holding one user message. */
  async thread(): Promise<string> {
    return (await this.post<{ id: string }>('/v1/threads', { messages: [{ role: 'user', content: 'Run the code.' }] }))
      .id;
  }

  async post<T>(pathname: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${pathname}: HTTP ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }
}

import http from 'node:http';
import type { TestServer } from '../../test/helpers/test-server.js';
import type { Backend } from '../backends.js';
import type { ProcessCpu } from '../process-cpu.js';
import { type SseMessage, type StreamTiming, streamSse } from './sse-client.js';
import type { UpstreamProcess } from './upstream-control.js';

/** Where the two variants live, and the one keep-alive agent every request goes through. */
export interface StreamContext {
  /** Our server, `http://127.0.0.1:PORT` (empty in the context the ceiling streams through). */
  serverUrl: string;
  /** The scripted upstream, `http://127.0.0.1:PORT/v1`. */
  upstreamBaseUrl: string;
  /** Auth and the Assistants beta header for our server. */
  headers: Record<string, string>;
  agent: http.Agent;
}

/** Our server on one backend: where to reach it, and the meters of its CPU time (and its database's). */
export interface BackendTarget {
  backend: Backend;
  context: StreamContext;
  server: TestServer;
  serverCpu: ProcessCpu;
  /** The PostgreSQL backends of its database; undefined on SQLite. */
  databaseCpu: ProcessCpu | undefined;
}

/** A streamed run as the client saw it. */
export interface RunStream {
  timing: StreamTiming;
  runId: string | undefined;
  /** The stream held `thread.run.completed` followed by `done`, and nothing failed. */
  completed: boolean;
}

/** Enough sockets that 1,000 concurrent streams (and the upstream's side of them) never queue in the client. */
export function benchAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 4096, maxFreeSockets: 4096 });
}

/**
 * The ceiling: the same completion streamed straight from the upstream, asked for with `body`, the very request
 * our server sent the upstream for a run on the same conversation (equal work: the same prompt, the same
 * completion). A delta is a chunk with non-empty `choices[0].delta.content`.
 */
export function ceilingStream(context: StreamContext, body: Record<string, unknown>): Promise<StreamTiming> {
  return streamSse({
    url: `${context.upstreamBaseUrl}/chat/completions`,
    headers: { authorization: 'Bearer upstream-key' },
    body,
    agent: context.agent,
    isDelta: isUpstreamContentDelta,
  });
}

/** Ours: `POST /v1/threads/{id}/runs` with `stream: true`; a delta is a `thread.message.delta` event. */
export async function oursStream(context: StreamContext, threadId: string, assistantId: string): Promise<RunStream> {
  let runId: string | undefined;
  const timing = await streamSse({
    url: `${context.serverUrl}/v1/threads/${threadId}/runs`,
    headers: context.headers,
    body: { assistant_id: assistantId, stream: true },
    agent: context.agent,
    isDelta: isRunTextDelta,
    onEvent: (message) => {
      if (message.event === 'thread.run.created') runId = (JSON.parse(message.data) as { id: string }).id;
    },
  });
  const names = timing.eventNames;
  const completed = timing.error === undefined && names.at(-2) === 'thread.run.completed' && names.at(-1) === 'done';
  return { timing, runId, completed };
}

function isUpstreamContentDelta(message: SseMessage): boolean {
  if (message.data === '[DONE]') return false;
  const chunk = JSON.parse(message.data) as { choices?: Array<{ delta?: { content?: string | null } }> };
  const content = chunk.choices?.[0]?.delta?.content;
  return typeof content === 'string' && content !== '';
}

function isRunTextDelta(message: SseMessage): boolean {
  if (message.event !== 'thread.message.delta') return false;
  // Parsed like the upstream's chunks, so both variants pay the same client-side cost.
  JSON.parse(message.data);
  return true;
}

/** A fresh thread of our server holding one user message: every measured run starts on one. */
export async function freshThread(context: StreamContext, content: string): Promise<string> {
  const thread = await requestJson<{ id: string }>(context, 'POST', '/v1/threads', {
    messages: [{ role: 'user', content }],
  });
  return thread.id;
}

/** A JSON request to our server; throws with the body on anything but 200. */
/** One assistant per backend, the same on each (the instructions are part of what the ceiling sends too). */
export async function createAssistants(targets: readonly BackendTarget[]): Promise<Map<Backend, string>> {
  const assistants = new Map<Backend, string>();
  for (const target of targets) {
    const assistant = await requestJson<{ id: string }>(target.context, 'POST', '/v1/assistants', {
      model: 'gpt-4o-mini',
      instructions: 'You are terse.',
    });
    assistants.set(target.backend, assistant.id);
  }
  return assistants;
}

export async function requestJson<T>(
  context: StreamContext,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const outgoing = http.request(
      `${context.serverUrl}${path}`,
      {
        method,
        agent: context.agent,
        headers: {
          ...context.headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode === 200) resolve(JSON.parse(text) as T);
          else reject(new Error(`${method} ${path}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`));
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** Runs `work` over `items` with at most `limit` in flight (for seeding, not for measuring). */
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The request our server sends the upstream for one streamed run on a fresh thread holding `content`: what the
 * ceiling then sends itself, so both variants ask the upstream for the same work.
 */
export async function upstreamRequestOf(
  target: BackendTarget,
  upstream: UpstreamProcess,
  assistantId: string,
  content: string,
): Promise<Record<string, unknown>> {
  const threadId = await freshThread(target.context, content);
  const run = await oursStream(target.context, threadId, assistantId);
  if (!run.completed) throw new Error(`the run that shows what ours asks the upstream failed: ${run.timing.error}`);
  const body = await upstream.lastModelRequest();
  if (body === null) throw new Error('the upstream received no model call from our server');
  return body;
}

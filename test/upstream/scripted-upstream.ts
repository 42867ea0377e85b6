import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeAnthropicError, writeAnthropicMessage } from './anthropic-messages.js';
import { embeddingsResponse } from './embeddings.js';
import { writeGoogleContent, writeGoogleError } from './google-generate-content.js';
import { openAIControlledSink, writeOpenAICompletion } from './openai-chat.js';
import type { CompletionScript, ErrorScript, RecordedRequest, ScriptEntry, ScriptedResponse } from './script.js';
import { startSse, writeJson, writeSse } from './sse.js';

export interface ScriptedUpstream {
  /** `http://127.0.0.1:PORT/v1`: the base URL for OpenAI-compatible, Anthropic and Google clients alike. */
  readonly baseURL: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The model ids `GET /v1/models` lists (OpenAI's shape); empty makes that route a 404, as upstreams without it. */
  readonly models: string[];
  /** Queues responses for the next model calls, one per call, in order. */
  script(...entries: ScriptEntry[]): void;
  /** Answers model calls when the queue is empty (otherwise they get a 500 that names the problem). */
  respond(handler: ScriptEntry | undefined): void;
  /** Forgets recorded requests, queued responses and the fallback (between tests sharing one upstream). */
  reset(): void;
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type Protocol = 'openai' | 'anthropic' | 'google';

/**
 * A real HTTP server that plays the model provider: OpenAI chat completions (streamed and not) and
 * embeddings, Anthropic messages and Gemini streamGenerateContent, each answered from a script.
 */
export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const requests: RecordedRequest[] = [];
  const models = ['gpt-4o', 'gpt-4o-mini'];
  const queue: ScriptEntry[] = [];
  let fallback: ScriptEntry | undefined;
  let modelCalls = 0;
  const arrivalListeners = new Set<() => void>();

  const server = createServer((incoming, response) => {
    void handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) writeJson(response, 500, openAIError(`scripted upstream failed: ${String(error)}`));
      else response.destroy();
    });
  });

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const record = await recordRequest(incoming, response);
    requests.push(record);
    for (const listener of arrivalListeners) listener();
    const protocol = protocolOf(incoming.method, record.path);
    if (record.path === '/v1/models' && incoming.method === 'GET' && models.length > 0) {
      const data = models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'scripted-upstream' }));
      writeJson(response, 200, { object: 'list', data });
      return;
    }
    if (record.path === '/v1/embeddings' && incoming.method === 'POST') {
      const result = embeddingsResponse(record.body);
      if (result.ok) writeJson(response, 200, result.body);
      else writeJson(response, 400, openAIError(result.message, 'invalid_request_error'));
      return;
    }
    if (protocol === undefined) {
      writeJson(response, 404, openAIError(`scripted upstream has no route ${incoming.method} ${record.path}`));
      return;
    }
    modelCalls += 1;
    const entry = queue.shift() ?? fallback;
    if (entry === undefined) {
      writeJson(response, 500, openAIError(`scripted upstream: no response scripted for call ${modelCalls}`));
      return;
    }
    const scripted = typeof entry === 'function' ? entry(record, modelCalls) : entry;
    await respondWith(protocol, scripted, record, response);
  }

  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    models,
    script: (...entries) => void queue.push(...entries),
    reset() {
      requests.splice(0);
      queue.splice(0);
      fallback = undefined;
    },
    respond: (handler) => {
      fallback = handler;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (requests.length < count) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`expected ${count} upstream requests within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          arrivalListeners.delete(check);
        };
        arrivalListeners.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function recordRequest(incoming: IncomingMessage, response: ServerResponse): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Kept as text: a test may want to see what a broken client sent.
  }
  const url = new URL(incoming.url ?? '/', 'http://upstream');
  let markDone!: () => void;
  const done = new Promise<void>((resolve) => {
    markDone = resolve;
  });
  const record: RecordedRequest = {
    method: incoming.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: incoming.headers,
    body,
    clientDisconnected: false,
    done,
  };
  response.once('close', () => {
    record.clientDisconnected = !response.writableFinished;
    markDone();
  });
  return record;
}

function protocolOf(method: string | undefined, path: string): Protocol | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/v1/chat/completions') return 'openai';
  if (path === '/v1/messages') return 'anthropic';
  if (/^\/v1(beta)?\/models\/[^/]+:streamGenerateContent$/.test(path)) return 'google';
  return undefined;
}

async function respondWith(
  protocol: Protocol,
  scripted: ScriptedResponse,
  record: RecordedRequest,
  response: ServerResponse,
): Promise<void> {
  if ('error' in scripted) return writeError(protocol, scripted, response);
  if ('hang' in scripted) return startSse(response);
  if ('controlled' in scripted) return scripted.controlled.attach(openAIControlledSink(response, record));
  if ('malformed' in scripted) return writeMalformed(scripted.malformed.textBefore ?? [], response);
  const completion: CompletionScript = scripted;
  if (protocol === 'anthropic') return writeAnthropicMessage(response, record, completion);
  if (protocol === 'google') return writeGoogleContent(response, record, completion);
  return writeOpenAICompletion(response, record, completion);
}

function writeError(protocol: Protocol, scripted: ErrorScript, response: ServerResponse): void {
  if (protocol === 'anthropic') {
    writeAnthropicError(response, scripted);
    return;
  }
  if (protocol === 'google') {
    writeGoogleError(response, scripted);
    return;
  }
  const { status, message, type, code, retryAfter } = scripted.error;
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  writeJson(response, status, openAIError(message, type ?? 'server_error', code), headers);
}

function writeMalformed(textBefore: readonly string[], response: ServerResponse): void {
  startSse(response);
  const base = { id: 'chatcmpl-malformed', object: 'chat.completion.chunk', created: 0, model: 'scripted' };
  for (const text of textBefore) {
    writeSse(response, { ...base, choices: [{ index: 0, delta: { content: text }, finish_reason: null }] });
  }
  writeSse(response, '{"id": "chatcmpl-malformed", "choices": [ this is not json');
  response.end();
}

function openAIError(message: string, type = 'server_error', code?: string): unknown {
  return { error: { message, type, param: null, code: code ?? null } };
}

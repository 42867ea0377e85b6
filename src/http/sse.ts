import type { FastifyReply, FastifyRequest } from 'fastify';

/** One server-sent event. `id` lets a client resume with `Last-Event-ID`. */
export interface SseEvent {
  id?: string;
  event: string;
  /** Serialised as JSON unless already a string. */
  data: unknown;
}

const KEEP_ALIVE_MS = 15_000;

/**
 * Writes `events` as a `text/event-stream` response, then the Assistants API's terminator
 * (`event: done` / `data: [DONE]`) unless `options.done` is false (Responses streams end with their last event). The source is told to stop (through `signal`) when the client
 * leaves; leaving never cancels the work behind the stream. Comments keep idle proxies from
 * closing the connection. When `shutdown` aborts (the server is closing) the stream ends without
 * `done`, so the client knows to resume it (`Last-Event-ID`) rather than holding the shutdown up.
 */
export async function sendSse(
  request: FastifyRequest,
  reply: FastifyReply,
  events: (signal: AbortSignal) => AsyncIterable<SseEvent>,
  shutdown?: AbortSignal,
  options: { done?: boolean } = {},
): Promise<void> {
  const controller = new AbortController();
  const response = reply.raw;
  // The response's `close`, not the request's: since Node 16 a request emits `close` as soon as its
  // body has been read, which for a POST happened before we got here, so a client leaving went unnoticed.
  response.once('close', () => controller.abort(new Error('client disconnected')));
  const onShutdown = () => controller.abort(new Error('server shutting down'));
  if (shutdown?.aborted) onShutdown();
  shutdown?.addEventListener('abort', onShutdown, { once: true });
  // Headers hooks set on the reply (rate limits) would be lost with the hijack otherwise.
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) response.setHeader(name, value);
  }
  reply.hijack();
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  try {
    for await (const event of events(controller.signal)) {
      if (controller.signal.aborted) break;
      await write(response, formatEvent(event));
    }
    if (!controller.signal.aborted && options.done !== false) {
      await write(response, formatEvent({ event: 'done', data: '[DONE]' }));
    }
  } catch (error) {
    if (!controller.signal.aborted) request.log.error({ err: error }, 'event stream failed');
  } finally {
    clearInterval(keepAlive);
    shutdown?.removeEventListener('abort', onShutdown);
    response.end();
  }
}

export function formatEvent({ id, event, data }: SseEvent): string {
  if (/[\r\n]/.test(event) || (id !== undefined && /[\r\n]/.test(id)))
    throw new Error('SSE event and id must be single-line');
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  const lines = payload
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines}\n`;
}

/** Respects back-pressure: waits for `drain` when the socket buffer is full (or for the socket to close). */
function write(response: NodeJS.WritableStream, chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (response.write(chunk)) {
      resolve();
      return;
    }
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

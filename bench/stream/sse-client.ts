import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One server-sent event; `data` is the raw text (several `data:` lines joined by newlines). */
export interface SseMessage {
  event: string;
  data: string;
}

export interface StreamRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  agent: http.Agent;
  /** True for the events that carry a content delta (a token); each is timed. */
  isDelta(message: SseMessage): boolean;
  /** Sees every event, e.g. to remember the run id or the final status. */
  onEvent?(message: SseMessage): void;
}

/** What one streamed request took, in ms from just before the request was sent. */
export interface StreamTiming {
  status: number;
  firstDeltaMs: number | undefined;
  lastDeltaMs: number | undefined;
  endMs: number;
  deltas: number;
  /** Every event name in order (`message` for unnamed events). */
  eventNames: string[];
  /** A transport error or a non-200 answer; the timing is then void. */
  error: string | undefined;
}

/**
 * POSTs `body` and reads the SSE answer with `node:http` on a keep-alive agent, timing the
 * first and last delta event. The same client reads our server and the upstream, so both pay
 * the same parse cost (every event's data is parsed by the caller's `isDelta`).
 */
export function streamSse(request: StreamRequest): Promise<StreamTiming> {
  const started = performance.now();
  const timing: StreamTiming = {
    status: 0,
    firstDeltaMs: undefined,
    lastDeltaMs: undefined,
    endMs: 0,
    deltas: 0,
    eventNames: [],
    error: undefined,
  };
  const payload = JSON.stringify(request.body);
  return new Promise((resolve) => {
    const finish = (error?: string): void => {
      timing.endMs = performance.now() - started;
      if (error !== undefined && timing.error === undefined) timing.error = error;
      resolve(timing);
    };
    const outgoing = http.request(
      request.url,
      {
        method: 'POST',
        agent: request.agent,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (response) => {
        timing.status = response.statusCode ?? 0;
        response.setEncoding('utf8');
        let buffered = '';
        let body = '';
        response.on('data', (chunk: string) => {
          if (timing.status !== 200) {
            body += chunk;
            return;
          }
          buffered += chunk;
          let boundary = buffered.indexOf('\n\n');
          while (boundary !== -1) {
            const message = parseEvent(buffered.slice(0, boundary));
            buffered = buffered.slice(boundary + 2);
            boundary = buffered.indexOf('\n\n');
            if (message === undefined) continue;
            timing.eventNames.push(message.event);
            request.onEvent?.(message);
            if (request.isDelta(message)) {
              const now = performance.now() - started;
              timing.firstDeltaMs ??= now;
              timing.lastDeltaMs = now;
              timing.deltas += 1;
            }
          }
        });
        response.on('end', () =>
          finish(timing.status === 200 ? undefined : `HTTP ${timing.status}: ${body.slice(0, 300)}`),
        );
        response.on('error', (error) => finish(String(error)));
        response.on('aborted', () => finish('response aborted'));
      },
    );
    outgoing.on('error', (error) => finish(String(error)));
    outgoing.end(payload);
  });
}

/** One event block: `event:`, `data:` and `id:` lines; comments (`:`) and empty blocks are skipped. */
function parseEvent(block: string): SseMessage | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(line.charAt(5) === ' ' ? 6 : 5));
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}

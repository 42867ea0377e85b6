import { Agent, request as httpRequest } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent byte for byte: `%zz`, `..` and the like reach the server unnormalised (fetch would rewrite them). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
  /** The parsed body when the response says it is JSON and parses; `undefined` otherwise. */
  json: unknown;
}

/** Sends one HTTP/1.1 request over a kept-alive connection; rejects when no complete response arrives in time. */
export function rawRequest(
  origin: string,
  request: RawRequest,
  agent: Agent,
  timeoutMs = 30_000,
): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname,
        port,
        agent,
        method: request.method,
        path: request.path,
        headers: request.headers,
        timeout: timeoutMs,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const body = Buffer.concat(chunks);
          const contentType = String(incoming.headers['content-type'] ?? '');
          resolve({ status: incoming.statusCode ?? 0, contentType, body, json: parseJson(contentType, body) });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no response within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** One connection reused for every request, as SDK clients do. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

function parseJson(contentType: string, body: Buffer): unknown {
  if (!contentType.includes('application/json')) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

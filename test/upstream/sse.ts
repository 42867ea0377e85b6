import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

export function startSse(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  response.flushHeaders();
}

/** Writes one SSE message; returns false once the client has gone, so writers can stop. */
export function writeSse(response: ServerResponse, data: unknown, event?: string): boolean {
  if (response.destroyed) return false;
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`);
  return true;
}

export function writeJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Pacing between chunks (not test synchronisation): lets a stream stay in flight for a while. */
export async function pause(milliseconds: number | undefined): Promise<void> {
  if (milliseconds !== undefined && milliseconds > 0) await delay(milliseconds);
}

/** Splits text into word-sized chunks that keep their spaces, so joining them restores the text. */
export function splitText(text: string | readonly string[] | undefined): string[] {
  if (text === undefined) return [];
  if (typeof text !== 'string') return [...text];
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
}

/** Splits a string into `count` roughly equal pieces (at least one character each). */
export function splitInto(text: string, count: number): string[] {
  const pieces: string[] = [];
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, count)));
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces.length === 0 ? [''] : pieces;
}

import assert from 'node:assert/strict';
import type { TestServer } from './test-server.js';

/** One event of a Responses stream: its `event:` name (the data's `type` when the line is missing) and its data. */
export interface ResponsesSseEvent {
  event: string;
  data: Record<string, any>;
}

/**
 * Parses a Responses SSE body. Each event is one block of `event:` and `data:` lines ended by a blank line; the
 * data is JSON (a `[DONE]` sentinel, which the Responses API does not send, is left out). The data of an event must
 * be on one line: clients with simple parsers (the Open Responses compliance suite's) read only that.
 */
export function parseResponsesSse(text: string): ResponsesSseEvent[] {
  const events: ResponsesSseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let name: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) name = line.slice('event:'.length).trim();
      else if (line.startsWith('data:')) data.push(line.slice('data:'.length).trimStart());
    }
    assert.ok(data.length <= 1, `an event's data is on one line: ${block.slice(0, 200)}`);
    if (data.length === 0 || data.join('') === '[DONE]') continue;
    const parsed = JSON.parse(data.join('\n')) as Record<string, any>;
    events.push({ event: name ?? String(parsed.type), data: parsed });
  }
  return events;
}

/** `POST /v1/responses` as a plain HTTP client sends it (the Open Responses suite uses `fetch`, not an SDK). */
export function postResponses(server: TestServer, body: unknown): Promise<Response> {
  return fetch(`${server.baseURL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify(body),
  });
}

/** Creates a response without streaming; fails the test unless the server answers 200 with JSON. */
export async function createResponseJson(
  server: TestServer,
  body: Record<string, unknown>,
): Promise<Record<string, any>> {
  const response = await postResponses(server, { ...body, stream: false });
  const text = await response.text();
  assert.equal(response.status, 200, `POST /v1/responses answered ${response.status}: ${text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  return JSON.parse(text) as Record<string, any>;
}

/** Creates a response with `stream: true` and reads the whole stream; fails the test unless it is a 200 SSE stream. */
export async function createResponseStream(
  server: TestServer,
  body: Record<string, unknown>,
): Promise<ResponsesSseEvent[]> {
  const response = await postResponses(server, { ...body, stream: true });
  const text = await response.text();
  assert.equal(response.status, 200, `POST /v1/responses (stream) answered ${response.status}: ${text}`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  return parseResponsesSse(text);
}

/** The response a stream ended with (`response.completed`, `.failed` or `.incomplete`), or undefined. */
export function terminalResponse(events: readonly ResponsesSseEvent[]): Record<string, any> | undefined {
  const terminal = ['response.completed', 'response.failed', 'response.incomplete'];
  return events.findLast((entry) => terminal.includes(entry.data.type))?.data.response as
    | Record<string, any>
    | undefined;
}

/** The concatenated `output_text` of a response's message items. */
export function outputText(response: Record<string, any>): string {
  return (response.output as Array<Record<string, any>>)
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content as Array<Record<string, any>>)
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

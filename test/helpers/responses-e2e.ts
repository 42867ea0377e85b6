import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { RecordedRequest } from '../upstream/index.js';
import { withBackendDb } from './backend-db.js';
import type { RunFixture } from './run-fixture.js';
import { strictResponsesProblems } from './strict-contract.js';

type ResponseStreamEvent = OpenAI.Responses.ResponseStreamEvent;

/** The model used throughout (the scripted upstream lists it). */
export const MODEL = 'gpt-4o-mini';

/** A client function as a Responses request declares it. */
export const weatherFunction: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

export const timeFunction: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_time',
  description: 'Current time in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: false,
};

/** The chat-completion requests the upstream received, in order. */
export function chatRequests(fixture: RunFixture): RecordedRequest[] {
  return fixture.upstream.requests.filter((request) => request.path === '/v1/chat/completions');
}

/** The body of the last chat-completion request the upstream received. */
export function lastChatBody(fixture: RunFixture): Record<string, any> {
  const request = chatRequests(fixture).at(-1);
  assert.ok(request, 'the upstream received a chat request');
  return request.body as Record<string, any>;
}

/** A chat message's text, whether its content is a string or parts. */
export function chatText(message: { content?: unknown }): string {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  return message.content
    .map((part: { type: string; text?: string }) => (part.type === 'text' ? part.text : ''))
    .join('');
}

/** `role: text` for every message of a chat request (tool calls shown as `assistant: →name(args)`). */
export function chatTranscript(body: Record<string, any>): string[] {
  return (body.messages as Array<Record<string, any>>).map((message) => {
    const calls = (message.tool_calls ?? []) as Array<{ function: { name: string; arguments: string } }>;
    const called = calls.map((call) => `→${call.function.name}(${call.function.arguments})`);
    return `${message.role}: ${[chatText(message), ...called].filter((part) => part !== '').join(' ')}`;
  });
}

/**
 * Every stream event conforms to the contract's `ResponseStreamEvent` (undeclared fields at any depth flagged) and
 * `sequence_number` counts 0, 1, 2, … from `first`.
 */
export function assertStreamContract(events: readonly ResponseStreamEvent[], first = 0): void {
  for (const event of events) {
    assert.deepEqual(strictResponsesProblems('ResponseStreamEvent', event), [], JSON.stringify(event));
  }
  assert.deepEqual(
    events.map((event) => event.sequence_number),
    events.map((_event, index) => first + index),
    'sequence_number counts up by one from the first event',
  );
}

/** Reads a whole stream of Responses events (copies, as sent), checked with `assertStreamContract`. */
export async function collectEvents(
  stream: AsyncIterable<ResponseStreamEvent>,
  first = 0,
): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(structuredClone(event));
  assertStreamContract(events, first);
  return events;
}

export function eventTypes(events: readonly ResponseStreamEvent[]): string[] {
  return events.map((event) => event.type);
}

/** Response fields the SDK adds on its own (`output_text`, parsed outputs). */
export function withoutSdkFields<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSdkFields) as T;
  if (!value || typeof value !== 'object') return value;
  const skip = new Set(['output_text', 'output_parsed', 'parsed', 'parsed_arguments']);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !skip.has(key))
      .map(([key, field]) => [key, withoutSdkFields(field)]),
  ) as T;
}

/** The thread a response runs on (its run row's), read from the database. */
export async function threadOfResponse(fixture: RunFixture, responseId: string): Promise<string | undefined> {
  return withBackendDb(fixture.server.dataDir, async (db) => {
    const row = await db.get<{ thread_id: string }>('SELECT thread_id FROM runs WHERE id = ?', [responseId]);
    return row?.thread_id;
  });
}

/** How many rows of the response are left: its run, steps and events, and rows it wrote or took as input. */
export async function rowsLeftOf(fixture: RunFixture, responseId: string, threadId?: string): Promise<number> {
  return withBackendDb(fixture.server.dataDir, async (db) => {
    const count = async (sql: string, params: unknown[]) => (await db.get<{ count: number }>(sql, params))!.count;
    let total = await count('SELECT count(*) AS count FROM runs WHERE id = ?', [responseId]);
    total += await count('SELECT count(*) AS count FROM run_steps WHERE run_id = ?', [responseId]);
    total += await count('SELECT count(*) AS count FROM run_events WHERE run_id = ?', [responseId]);
    total += await count('SELECT count(*) AS count FROM messages WHERE run_id = ? OR input_of = ?', [
      responseId,
      responseId,
    ]);
    if (threadId) total += await count('SELECT count(*) AS count FROM threads WHERE id = ?', [threadId]);
    return total;
  });
}

/** All thread ids in the database (to find the one a `store: false` response made and removed). */
export async function threadIds(fixture: RunFixture): Promise<Set<string>> {
  return withBackendDb(fixture.server.dataDir, async (db) => {
    const rows = await db.all<{ id: string }>('SELECT id FROM threads', []);
    return new Set(rows.map((row) => row.id));
  });
}

/** A 1×1 PNG. */
export const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

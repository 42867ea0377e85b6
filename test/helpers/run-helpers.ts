import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { RecordedRequest } from '../upstream/index.js';
import { validateAgainst } from './contract-fetch.js';
import { pollUntil } from './poll.js';
import type { RunFixture } from './run-fixture.js';

type Run = OpenAI.Beta.Threads.Runs.Run;
type AssistantCreateParams = OpenAI.Beta.AssistantCreateParams;

/** One server-sent event as it came over the wire; `data` is parsed JSON unless it was `[DONE]`. */
export interface RawSseEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** The component schema each event's `data` is an instance of (to flag fields the schema does not declare). */
const DATA_SCHEMAS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^thread\.created$/, 'ThreadObject'],
  [/^thread\.run\.step\.delta$/, 'RunStepDeltaObject'],
  [/^thread\.run\.step\./, 'RunStepObject'],
  [/^thread\.run\./, 'RunObject'],
  [/^thread\.message\.delta$/, 'MessageDeltaObject'],
  [/^thread\.message\./, 'MessageObject'],
];

/** Asserts a stream event conforms to the contract's `AssistantStreamEvent`, and its data declares no extra fields. */
export function assertValidStreamEvent(entry: { event: string; data: unknown }): void {
  // The data's own schema first: its errors are readable, where a failed oneOf lists every branch.
  const schema = DATA_SCHEMAS.find(([pattern]) => pattern.test(entry.event))?.[1];
  if (schema)
    assert.deepEqual(validateAgainst(schema, entry.data), [], `data of stream event ${entry.event} violates ${schema}`);
  const problems = validateAgainst('AssistantStreamEvent', { event: entry.event, data: entry.data });
  assert.deepEqual(problems, [], `stream event ${entry.event} violates the contract`);
}

/** An assistant with a fixed model unless the test says otherwise. */
export function createAssistant(fixture: RunFixture, params: Partial<AssistantCreateParams> = {}) {
  return fixture.client.beta.assistants.create({ model: 'gpt-4o-mini', instructions: 'You are terse.', ...params });
}

/** An assistant and a thread holding one user message. */
export async function assistantAndThread(
  fixture: RunFixture,
  params: Partial<AssistantCreateParams> = {},
  text = 'Hello there',
) {
  const assistant = await createAssistant(fixture, params);
  const thread = await fixture.client.beta.threads.create({ messages: [{ role: 'user', content: text }] });
  return { assistant, thread };
}

export const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

export const timeTool = {
  type: 'function' as const,
  function: {
    name: 'get_time',
    description: 'Current time in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

/** Sends a request to the server with fetch and reads its whole SSE response (it must end). */
export async function fetchSse(
  fixture: RunFixture,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawSseEvent[]> {
  const response = await fetch(`${fixture.server.baseURL}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: 'Bearer test-key',
      'openai-beta': 'assistants=v2',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  return parseSse(await response.text());
}

/** Parses an SSE body into events (comments and keep-alives skipped). */
export function parseSse(text: string): RawSseEvent[] {
  const events: RawSseEvent[] = [];
  for (const block of text.split(/\n\n/)) {
    let id: string | undefined;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (event === undefined) continue;
    const joined = data.join('\n');
    events.push({ id, event, data: joined === '[DONE]' ? joined : (JSON.parse(joined) as unknown) });
  }
  return events;
}

/** Polls the run until `done(run)` holds, or fails after `timeoutMs` (for changes the server makes on its own). */
export async function waitForRun(
  fixture: RunFixture,
  threadId: string,
  runId: string,
  done: (run: Run) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<Run> {
  let last: Run | undefined;
  return pollUntil(
    async () => {
      last = await fixture.client.beta.threads.runs.retrieve(runId, { thread_id: threadId });
      return done(last) && last;
    },
    { what: () => `${what}; run is ${last?.status}`, timeoutMs },
  );
}

/** The chat-completion requests the upstream received (embeddings and others left out). */
export function chatRequests(fixture: RunFixture): RecordedRequest[] {
  return fixture.upstream.requests.filter((request) => request.path === '/v1/chat/completions');
}

/** The `messages` of the n-th chat request, as the upstream received them. */
export function upstreamMessages(fixture: RunFixture, index: number): Array<Record<string, any>> {
  const request = chatRequests(fixture)[index];
  assert.ok(request, `expected upstream chat request #${index}`);
  return request.body.messages as Array<Record<string, any>>;
}

/** The text of a message's first text part. */
export function messageText(message: OpenAI.Beta.Threads.Message): string {
  return message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');
}

/** Content of an upstream message as one string (user messages may be a string or parts). */
export function contentText(message: Record<string, any>): string {
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.content)) return message.content.map((part: { text?: string }) => part.text ?? '').join('');
  return '';
}

/** The content of the last tool message the engine sent the model in `request`. */
export function lastToolOutput(request: RecordedRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: string }>;
  return messages.filter((message) => message.role === 'tool').at(-1)?.content ?? '';
}

/** createThreadAndRun streamed through the SDK helper: a new thread holding `text`, and a run of the assistant. */
export function threadAndRunStream(fixture: RunFixture, assistantId: string, text: string) {
  return fixture.client.beta.threads.createAndRunStream({
    assistant_id: assistantId,
    thread: { messages: [{ role: 'user', content: text }] },
  });
}

/** A run stopped at `requires_action` on one scripted `get_weather` call (id `call_wait`). */
export async function requiresActionRun(fixture: RunFixture) {
  fixture.upstream.script({ toolCalls: [{ id: 'call_wait', name: 'get_weather', arguments: { city: 'Bern' } }] });
  const { assistant, thread } = await assistantAndThread(fixture, { tools: [weatherTool] });
  const run = await fixture.client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.equal(run.status, 'requires_action');
  return { assistant, thread, run };
}

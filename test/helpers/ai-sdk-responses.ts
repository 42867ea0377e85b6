import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { contractCheckingFetch, responsesContract, validateAgainst } from './contract-fetch.js';
import { responseResourceProblems, streamEventProblems } from './open-responses-spec.js';
import { parseResponsesSse, type ResponsesSseEvent } from './responses-http.js';
import type { TestServer } from './test-server.js';

/** One call the AI SDK made to the server: the JSON body it sent, and what came back. */
export interface ResponsesExchange {
  readonly method: string;
  readonly path: string;
  readonly request: Record<string, any> | undefined;
  readonly status: number;
  /** The JSON body of a non-streamed answer. */
  readonly json?: Record<string, any>;
  /** The events of a streamed answer, once the stream has ended (read from a copy of the body). */
  readonly events?: Promise<ResponsesSseEvent[]>;
}

type OpenAIProvider = ReturnType<typeof createOpenAI>;

export interface RecordedProvider {
  /** `createOpenAI({ baseURL, apiKey, fetch }).responses(modelId)`: the AI SDK's Responses-mode model. */
  model(modelId: string): ReturnType<OpenAIProvider['responses']>;
  /** The provider's built-in tools (`fileSearch`, `codeInterpreter`, ...). */
  readonly tools: OpenAIProvider['tools'];
  readonly exchanges: ResponsesExchange[];
}

/**
 * The Vercel AI SDK's OpenAI provider pointed at a test server, as an application would configure it, with a fetch
 * that records every exchange. JSON answers are checked against our contract on the way (a violation becomes a 599
 * the SDK reports); a streamed answer is teed, so the SDK reads it as it arrives while the test keeps a copy.
 */
export function recordedProvider(server: TestServer): RecordedProvider {
  const exchanges: ResponsesExchange[] = [];
  const checkedFetch = contractCheckingFetch();
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const request = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, any>) : undefined;
    const response = await checkedFetch(input, init);
    const base = {
      method: (init?.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      request,
      status: response.status,
    };
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream') && response.body) {
      const [forSdk, forTest] = response.body.tee();
      const events = new Response(forTest).text().then(parseResponsesSse);
      exchanges.push({ ...base, events });
      return new Response(forSdk, { status: response.status, headers: response.headers });
    }
    const json = contentType.includes('application/json')
      ? ((await response.clone().json()) as Record<string, any>)
      : undefined;
    exchanges.push({ ...base, ...(json === undefined ? {} : { json }) });
    return response;
  };
  const provider = createOpenAI({ baseURL: server.baseURL, apiKey: 'test-key', fetch: recordingFetch });
  return { model: (modelId) => provider.responses(modelId), tools: provider.tools, exchanges };
}

/** The `POST /v1/responses` exchanges, in order. */
export function responseCreations(recorded: RecordedProvider): ResponsesExchange[] {
  return recorded.exchanges.filter((exchange) => exchange.method === 'POST' && exchange.path === '/v1/responses');
}

/**
 * The events of a streamed exchange, each checked against our contract and (unless told otherwise: its event union
 * has no built-in tool events) the Open Responses spec, numbered from 0 without gaps, opened by `response.created`
 * and closed by one terminal event.
 */
export async function checkedStreamEvents(
  exchange: ResponsesExchange,
  { openResponses = true }: { openResponses?: boolean } = {},
): Promise<ResponsesSseEvent[]> {
  assert.ok(exchange.events, `exchange ${exchange.method} ${exchange.path} was not streamed`);
  const events = await exchange.events;
  for (const { event, data } of events) {
    assert.equal(event, data.type, 'the SSE event name is the data type');
    assert.deepEqual(validateAgainst('ResponseStreamEvent', data, responsesContract), [], `${data.type} vs contract`);
    if (openResponses) assert.deepEqual(streamEventProblems(data), [], `${data.type} vs the Open Responses spec`);
  }
  assert.deepEqual(
    events.map(({ data }) => data.sequence_number),
    events.map((_, index) => index),
  );
  assert.equal(events[0]?.data.type, 'response.created');
  const terminal = events.filter(({ data }) =>
    ['response.completed', 'response.failed', 'response.incomplete'].includes(data.type),
  );
  assert.equal(terminal.length, 1, 'one terminal event');
  assert.equal(events.at(-1), terminal[0], 'the terminal event is the last');
  if (openResponses) assert.deepEqual(responseResourceProblems(terminal[0]!.data.response), []);
  return events;
}

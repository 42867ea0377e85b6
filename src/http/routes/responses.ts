import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { responsesSchemaRef } from '../../api/contract.js';
import { parsePageRequest, toListResponse } from '../../api/pagination.js';
import { errors } from '../../errors.js';
import type { CreateResponseBody } from '../../responses/create-response.js';
import type { ResponseStreamEvent } from '../../responses/stream-translator.js';
import type { Services } from '../../services/index.js';
import type { StoredResponse } from '../../services/responses.js';
import { type SseEvent, sendSse } from '../sse.js';

type Params = { response_id: string };
type Query = Record<string, unknown>;

/** The `include` values of the Responses API this server fills in; the others are accepted and change nothing. */
const INCLUDE_VALUES = [
  'file_search_call.results',
  'code_interpreter_call.outputs',
  'message.output_text.logprobs',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'reasoning.encrypted_content',
  'web_search_call.action.sources',
  'web_search_call.results',
];

export function responseRoutes(services: Services): FastifyPluginAsync {
  const shutdown = new AbortController();
  const { responses } = services;

  /** Sends the response's events numbered after `startingAfter`; a `store: false` response is dropped after. */
  const stream = async (
    request: FastifyRequest,
    reply: FastifyReply,
    stored: StoredResponse,
    startingAfter: number,
  ) => {
    const events = (signal: AbortSignal) => asSse(responses.events(stored, originOf(request), startingAfter, signal));
    await sendSse(request, reply, events, shutdown.signal, { done: false });
    return reply;
  };

  return async (app) => {
    app.addHook('preClose', async () => shutdown.abort());

    app.post('/responses', { schema: { body: responsesSchemaRef('CreateResponse') } }, async (request, reply) => {
      const body = request.body as CreateResponseBody;
      const stored = await responses.create(request.project, body);
      const kept = stored.state.response!.echo.store;
      try {
        if (body.stream) return await stream(request, reply, stored, -1);
        if (!body.background) await responses.waitForEnd(stored, closedSignal(reply));
        return await responses.present(stored, originOf(request));
      } finally {
        if (!kept) await dropWhenEnded(services, stored);
      }
    });

    app.post('/responses/input_tokens', { schema: { body: responsesSchemaRef('TokenCountsBody') } }, async (request) =>
      services.responseInputTokens.count(request.project, request.body as CreateResponseBody),
    );

    app.get<{ Params: Params; Querystring: Query }>('/responses/:response_id', async (request, reply) => {
      const stored = await responses.stored(request.project, request.params.response_id);
      const include = parseInclude(request.query);
      if (booleanQuery(request.query, 'stream')) {
        return stream(request, reply, stored, integerQuery(request.query, 'starting_after') ?? -1);
      }
      return responses.present(stored, originOf(request), include);
    });

    app.delete<{ Params: Params }>('/responses/:response_id', async (request) =>
      responses.delete(request.project, request.params.response_id),
    );

    app.post<{ Params: Params }>('/responses/:response_id/cancel', async (request) =>
      responses.cancel(request.project, request.params.response_id, originOf(request)),
    );

    app.get<{ Params: Params; Querystring: Query }>('/responses/:response_id/input_items', async (request) => {
      const page = parsePageRequest(request.query, { allowBefore: false });
      const include = parseInclude(request.query);
      return toListResponse(await responses.inputItems(request.project, request.params.response_id, page, include));
    });
  };
}

/** `scheme://host` of the request, for the absolute URLs a response shows. */
function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

async function* asSse(events: AsyncIterable<ResponseStreamEvent>): AsyncGenerator<SseEvent> {
  for await (const event of events) yield { event: event.type, data: event };
}

/** Aborts when the client goes away (the response goes on). */
function closedSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => controller.abort());
  return controller.signal;
}

/** A `store: false` response keeps nothing once it has ended, even when its client left before the end. */
async function dropWhenEnded(services: Services, stored: StoredResponse): Promise<void> {
  await services.responses.waitForEnd(stored, new AbortController().signal);
  await services.responses.discard(stored);
}

/** `include[]=...` (repeatable), or `include=...`. */
function parseInclude(query: Query): string[] {
  const raw = query['include[]'] ?? query.include;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const unknown = values.find((value) => !INCLUDE_VALUES.includes(value));
  if (unknown !== undefined) {
    throw errors.unsupportedValue('include', `'${unknown}'`, INCLUDE_VALUES.map((value) => `'${value}'`).join(', '));
  }
  return values;
}

function booleanQuery(query: Query, name: string): boolean {
  const value = query[name];
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw errors.invalidType(name, 'a boolean', String(value));
}

function integerQuery(query: Query, name: string): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw errors.invalidType(name, 'a non-negative integer', String(value));
  return parsed;
}

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { schemaRef } from '../../api/contract.js';
import { parsePageRequest, toListResponse } from '../../api/pagination.js';
import type {
  CreateRunRequest,
  CreateThreadAndRunRequest,
  ModifyRunRequest,
  SubmitToolOutputsRequest,
} from '../../api/types.js';
import { errors } from '../../errors.js';
import type { Services } from '../../services/index.js';
import type { RunStart } from '../../services/runs.js';
import { sendSse } from '../sse.js';

type ThreadParams = { thread_id: string };
type RunParams = ThreadParams & { run_id: string };
type StepParams = RunParams & { step_id: string };
type Query = Record<string, unknown>;

const INCLUDE_VALUES = ['step_details.tool_calls[*].file_search.results[*].content'];

/** How long the SDK's pollers wait between retrievals (it honours this header). */
const POLL_AFTER_MS = '100';

export function runRoutes(services: Services): FastifyPluginAsync {
  // An open stream would hold `app.close()` up for as long as its run lasts (one waiting for tool
  // outputs: until it expires), so streams end when the server starts closing.
  const shutdown = new AbortController();
  const stream = (request: FastifyRequest, reply: FastifyReply, runId: string, afterSeq: number) =>
    sendSse(request, reply, (signal) => services.runs.stream(runId, afterSeq, signal), shutdown.signal);

  /** Answers with the run, or — when the request asked to stream — with its events from `start`. */
  const respond = async (
    request: FastifyRequest,
    reply: FastifyReply,
    start: RunStart,
    streamed: boolean | null | undefined,
  ) => {
    if (!streamed) return start.run;
    await stream(request, reply, start.run.id, start.afterSeq);
    return reply;
  };

  return async (app) => {
    app.addHook('preClose', async () => shutdown.abort());

    app.post('/threads/runs', { schema: { body: schemaRef('CreateThreadAndRunRequest') } }, async (request, reply) => {
      const body = request.body as CreateThreadAndRunRequest;
      return respond(request, reply, await services.runs.createThreadAndRun(request.project, body), body.stream);
    });

    app.get<{ Params: ThreadParams; Querystring: Query }>('/threads/:thread_id/runs', async (request) => {
      const page = parsePageRequest(request.query);
      return toListResponse(await services.runs.list(request.project, request.params.thread_id, page));
    });

    app.post<{ Params: ThreadParams; Querystring: Query }>(
      '/threads/:thread_id/runs',
      { schema: { body: schemaRef('CreateRunRequest') } },
      async (request, reply) => {
        const body = request.body as CreateRunRequest;
        const start = await services.runs.create(
          request.project,
          request.params.thread_id,
          body,
          parseInclude(request.query),
        );
        return respond(request, reply, start, body.stream);
      },
    );

    app.get<{ Params: RunParams }>('/threads/:thread_id/runs/:run_id', async (request, reply) => {
      void reply.header('openai-poll-after-ms', POLL_AFTER_MS);
      return services.runs.get(request.project, request.params.thread_id, request.params.run_id);
    });

    app.post<{ Params: RunParams }>(
      '/threads/:thread_id/runs/:run_id',
      { schema: { body: schemaRef('ModifyRunRequest') } },
      async (request) =>
        services.runs.modify(
          request.project,
          request.params.thread_id,
          request.params.run_id,
          request.body as ModifyRunRequest,
        ),
    );

    app.post<{ Params: RunParams }>('/threads/:thread_id/runs/:run_id/cancel', async (request) =>
      services.runs.cancel(request.project, request.params.thread_id, request.params.run_id),
    );

    app.post<{ Params: RunParams }>(
      '/threads/:thread_id/runs/:run_id/submit_tool_outputs',
      { schema: { body: schemaRef('SubmitToolOutputsRunRequest') } },
      async (request, reply) => {
        const body = request.body as SubmitToolOutputsRequest;
        const { thread_id: threadId, run_id: runId } = request.params;
        return respond(
          request,
          reply,
          await services.runs.submitToolOutputs(request.project, threadId, runId, body),
          body.stream,
        );
      },
    );

    app.get<{ Params: RunParams; Querystring: Query }>('/threads/:thread_id/runs/:run_id/steps', async (request) => {
      const page = parsePageRequest(request.query);
      const include = parseInclude(request.query);
      const { thread_id: threadId, run_id: runId } = request.params;
      return toListResponse(await services.runs.listSteps(request.project, threadId, runId, page, include));
    });

    app.get<{ Params: StepParams; Querystring: Query }>(
      '/threads/:thread_id/runs/:run_id/steps/:step_id',
      async (request) => {
        const include = parseInclude(request.query);
        const { thread_id: threadId, run_id: runId, step_id: stepId } = request.params;
        return services.runs.getStep(request.project, threadId, runId, stepId, include);
      },
    );

    // Beyond OpenAI: resume a run's stream after the last event id received (SSE `Last-Event-ID`).
    app.get<{ Params: RunParams; Querystring: Query }>(
      '/threads/:thread_id/runs/:run_id/events',
      async (request, reply) => {
        const { thread_id: threadId, run_id: runId } = request.params;
        const header = request.headers['last-event-id'];
        const lastEventId =
          typeof header === 'string'
            ? header
            : typeof request.query.after === 'string'
              ? request.query.after
              : undefined;
        const afterSeq = await services.runs.streamStart(request.project, threadId, runId, lastEventId);
        await stream(request, reply, runId, afterSeq);
        return reply;
      },
    );
  };
}

/** `include[]=...` (repeatable): only one value exists in the contract. */
function parseInclude(query: Query): string[] {
  const raw = query['include[]'] ?? query.include;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const unknown = values.find((value) => !INCLUDE_VALUES.includes(value));
  if (unknown !== undefined) {
    throw errors.invalidInclude(unknown);
  }
  return values;
}

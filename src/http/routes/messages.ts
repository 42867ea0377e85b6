import type { FastifyPluginAsync } from 'fastify';
import { schemaRef } from '../../api/contract.js';
import { parsePageRequest, toListResponse } from '../../api/pagination.js';
import { optionalStringQuery } from '../../api/query-params.js';
import type { CreateMessageRequest, ModifyMessageRequest } from '../../api/types.js';
import type { Services } from '../../services/index.js';

type ThreadParams = { thread_id: string };
type MessageParams = ThreadParams & { message_id: string };

export function messageRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: ThreadParams; Querystring: Record<string, unknown> }>(
      '/threads/:thread_id/messages',
      async (request) => {
        const page = parsePageRequest(request.query);
        const runId = optionalStringQuery(request.query, 'run_id');
        return toListResponse(await services.messages.list(request.project, request.params.thread_id, page, runId));
      },
    );

    app.post<{ Params: ThreadParams }>(
      '/threads/:thread_id/messages',
      { schema: { body: schemaRef('CreateMessageRequest') } },
      async (request) =>
        services.messages.create(request.project, request.params.thread_id, request.body as CreateMessageRequest),
    );

    app.get<{ Params: MessageParams }>('/threads/:thread_id/messages/:message_id', async (request) =>
      services.messages.get(request.project, request.params.thread_id, request.params.message_id),
    );

    app.post<{ Params: MessageParams }>(
      '/threads/:thread_id/messages/:message_id',
      { schema: { body: schemaRef('ModifyMessageRequest') } },
      async (request) =>
        services.messages.modify(
          request.project,
          request.params.thread_id,
          request.params.message_id,
          request.body as ModifyMessageRequest,
        ),
    );

    app.delete<{ Params: MessageParams }>('/threads/:thread_id/messages/:message_id', async (request) =>
      services.messages.delete(request.project, request.params.thread_id, request.params.message_id),
    );
  };
}

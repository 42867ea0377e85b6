import type { FastifyPluginAsync } from 'fastify';
import { schemaRef } from '../../api/contract.js';
import type { CreateThreadRequest, ModifyThreadRequest } from '../../api/types.js';
import type { Services } from '../../services/index.js';

type Params = { thread_id: string };

export function threadRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.post('/threads', { schema: { body: schemaRef('CreateThreadRequest') } }, async (request) =>
      services.threads.create(request.project, request.body as CreateThreadRequest),
    );

    app.get<{ Params: Params }>('/threads/:thread_id', async (request) =>
      services.threads.get(request.project, request.params.thread_id),
    );

    app.post<{ Params: Params }>(
      '/threads/:thread_id',
      { schema: { body: schemaRef('ModifyThreadRequest') } },
      async (request) =>
        services.threads.modify(request.project, request.params.thread_id, request.body as ModifyThreadRequest),
    );

    app.delete<{ Params: Params }>('/threads/:thread_id', async (request) =>
      services.threads.delete(request.project, request.params.thread_id),
    );
  };
}

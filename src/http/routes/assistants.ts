import type { FastifyPluginAsync } from 'fastify';
import { schemaRef } from '../../api/contract.js';
import { parsePageRequest, toListResponse } from '../../api/pagination.js';
import type { CreateAssistantRequest, ModifyAssistantRequest } from '../../api/types.js';
import type { Services } from '../../services/index.js';

type Params = { assistant_id: string };

export function assistantRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get('/assistants', async (request) => {
      const page = parsePageRequest(request.query as Record<string, unknown>);
      return toListResponse(await services.assistants.list(request.project, page));
    });

    app.post('/assistants', { schema: { body: schemaRef('CreateAssistantRequest') } }, async (request) =>
      services.assistants.create(request.project, request.body as CreateAssistantRequest),
    );

    app.get<{ Params: Params }>('/assistants/:assistant_id', async (request) =>
      services.assistants.get(request.project, request.params.assistant_id),
    );

    app.post<{ Params: Params }>(
      '/assistants/:assistant_id',
      { schema: { body: schemaRef('ModifyAssistantRequest') } },
      async (request) =>
        services.assistants.modify(
          request.project,
          request.params.assistant_id,
          request.body as ModifyAssistantRequest,
        ),
    );

    app.delete<{ Params: Params }>('/assistants/:assistant_id', async (request) =>
      services.assistants.delete(request.project, request.params.assistant_id),
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../services/index.js';

type Params = { model: string; '*'?: string };

export function modelRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get('/models', async () => services.models.list());

    // Hugging Face style ids (`meta-llama/Llama-3.1-8B-Instruct`, as vLLM serves them) hold a slash, which the
    // JavaScript SDK sends encoded and the Python SDK does not: the second route takes the unencoded form.
    const retrieve = async (request: { params: Params }) => {
      const rest = request.params['*'];
      return services.models.get(rest === undefined ? request.params.model : `${request.params.model}/${rest}`);
    };
    app.get<{ Params: Params }>('/models/:model', retrieve);
    app.get<{ Params: Params }>('/models/:model/*', retrieve);
  };
}

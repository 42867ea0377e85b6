import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import type { Services } from '../services/index.js';
import { assistantRoutes } from './routes/assistants.js';
import { containerRoutes } from './routes/containers.js';
import { conversationRoutes } from './routes/conversations.js';
import { fileRoutes } from './routes/files.js';
import { messageRoutes } from './routes/messages.js';
import { modelRoutes } from './routes/models.js';
import { responseRoutes } from './routes/responses.js';
import { runRoutes } from './routes/runs.js';
import { threadRoutes } from './routes/threads.js';
import { uploadRoutes } from './routes/uploads.js';
import { vectorStoreRoutes } from './routes/vector-stores.js';

export interface ApiScopeOptions {
  services: Services;
  blobs: BlobStore;
  maxFileBytes: number;
  /**
   * Run on every request in this order, before its body is read: authentication first (the hooks after it count
   * per project), then e.g. Azure's `api-version` check and the rate limiter. Shared between prefixes, so one
   * project's allowance is the same whichever prefix it calls.
   */
  onRequest: readonly onRequestHookHandler[];
}

/**
 * Every route of the API, served once per prefix it lives under (`/v1`, `/openai`): one implementation, so the
 * two cannot drift apart.
 */
export function apiScope(options: ApiScopeOptions): FastifyPluginAsync {
  return async (api) => {
    for (const hook of options.onRequest) api.addHook('onRequest', hook);
    // `/v1/assistants/` matches `/assistants/:assistant_id` with an empty id; OpenAI answers such a URL as unknown.
    api.addHook('preValidation', async (request) => {
      const params = request.params as Record<string, string> | undefined;
      if (params && Object.values(params).some((value) => value === '')) {
        throw errors.invalidUrl(request.method, request.url.split('?')[0] ?? request.url);
      }
    });
    api.addHook('preValidation', async (request) => {
      if (request.method !== 'POST' || request.routeOptions.config.multipart) return;
      const contentType = request.headers['content-type'];
      if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) {
        throw errors.unsupportedContentType(contentType, 'application/json');
      }
      // Body-less POSTs (cancel, or `threads.create()` with no arguments) validate as `{}`.
      if (request.body === undefined) request.body = {};
    });
    const { services, blobs, maxFileBytes } = options;
    await api.register(assistantRoutes(services));
    await api.register(threadRoutes(services));
    await api.register(messageRoutes(services));
    await api.register(runRoutes(services));
    await api.register(fileRoutes(services, { blobs, maxFileBytes }));
    await api.register(uploadRoutes(services, { blobs }));
    await api.register(vectorStoreRoutes(services));
    await api.register(modelRoutes(services));
    await api.register(containerRoutes(services, { blobs, maxFileBytes }));
    await api.register(conversationRoutes(services));
    await api.register(responseRoutes(services));
  };
}

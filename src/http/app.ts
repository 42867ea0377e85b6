import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { Contract, loadResponsesContractDocument } from '../api/contract.js';
import { forRequestValidation } from '../api/input-item-schema.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import type { Services } from '../services/index.js';
import { AZURE_PREFIX, OPENAI_PREFIX } from './api-prefixes.js';
import { apiScope } from './api-scope.js';
import type { ApiKeyEntry } from './auth.js';
import { createAuthenticator } from './auth.js';
import { checkAzureApiVersion } from './azure-api-version-hook.js';
import { createErrorHandler } from './error-handler.js';
import { handleClientError, handleFrameworkError, MAX_PATH_PARAM_LENGTH } from './framework-errors.js';
import { registerJsonParser } from './json-body-parser.js';
import { type HttpMetrics, registerMetrics } from './metrics-route.js';
import { DEFAULT_PLAYGROUND_DIR, registerPlayground } from './playground-route.js';
import { createRateLimitHook } from './rate-limit-hook.js';
import type { RateLimitSettings } from './rate-limit-settings.js';
import { InMemoryRateLimiter, type RateLimiter } from './rate-limiter.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads a multipart form itself; other POST routes take JSON only. */
    multipart?: boolean;
  }
}

export interface AppDependencies {
  services: Services;
  blobs: BlobStore;
  apiKeys: readonly ApiKeyEntry[] | undefined;
  bodyLimitBytes: number;
  maxFileBytes: number;
  contract?: Contract;
  /** Pino-compatible logger; silent when omitted. */
  logger?: FastifyBaseLogger;
  /** Served at GET /metrics (bearer `metricsToken` when set) and fed by every response; none when omitted. */
  metrics?: HttpMetrics;
  metricsToken?: string | undefined;
  /** Per-project request limits (RATE_LIMITS); none when omitted. */
  rateLimits?: RateLimitSettings | undefined;
  /** Counts requests against `rateLimits`; this process's memory when omitted. */
  rateLimiter?: RateLimiter;
  /** The built Playground served at /playground; web/dist when omitted. */
  playgroundDir?: string;
}

/** Builds the HTTP app from its dependencies; listening is the caller's business. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const contract = deps.contract ?? new Contract().addResponses(forRequestValidation(loadResponsesContractDocument()));
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes,
    // Per-request lines would dominate the log and cost throughput; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // OpenAI's ids never contain these, and a 414 is clearer than a 404 for an absurd URL.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Errors raised before routing (bad percent-encoding, over-long ids, oversized headers) in OpenAI's shape too.
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  });

  app.setValidatorCompiler(({ schema }) => contract.compile(schema));
  app.setErrorHandler(createErrorHandler(contract));
  app.setNotFoundHandler((request, reply) => {
    const error = errors.invalidUrl(request.method, request.url.split('?')[0] ?? request.url);
    void reply.status(error.status).send(error.toBody());
  });
  registerJsonParser(app);
  await app.register(multipart);

  if (deps.metrics) registerMetrics(app, deps.metrics, deps.metricsToken);
  app.get('/health', async () => ({ status: 'ok' }));
  await registerPlayground(app, {
    directory: deps.playgroundDir ?? DEFAULT_PLAYGROUND_DIR,
    authRequired: deps.apiKeys !== undefined,
  });

  // Both prefixes share one authenticator and one limiter: a project's allowance does not double with a prefix.
  app.decorateRequest('project', '');
  const authenticate = createAuthenticator(deps.apiKeys);
  const rateLimit = deps.rateLimits
    ? [createRateLimitHook(deps.rateLimits, deps.rateLimiter ?? new InMemoryRateLimiter(), deps.metrics)]
    : [];
  const routes = { services: deps.services, blobs: deps.blobs, maxFileBytes: deps.maxFileBytes };
  await app.register(apiScope({ ...routes, onRequest: [authenticate, ...rateLimit] }), { prefix: OPENAI_PREFIX });
  await app.register(apiScope({ ...routes, onRequest: [authenticate, checkAzureApiVersion, ...rateLimit] }), {
    prefix: AZURE_PREFIX,
  });
  return app;
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { withoutApiPrefix } from './api-prefixes.js';
import { formatDuration } from './format-duration.js';
import { limitFor, type RateLimitSettings, type RouteClass } from './rate-limit-settings.js';
import type { RateLimiter } from './rate-limiter.js';

/** Creating a run, which OpenAI limited below other POSTs (under either API prefix). */
const RUN_CREATION_ROUTES = new Set(['/threads/:thread_id/runs', '/threads/runs']);

const CLASS_NAMES: Readonly<Record<RouteClass, string>> = {
  get: 'GET',
  post: 'POST',
  runs: 'create run',
  delete: 'DELETE',
};

/** Told of every refused request (the rejection counter of /metrics). */
export interface RateLimitListener {
  countRateLimited(project: string, routeClass: RouteClass): void;
}

/** The class OpenAI counted a request in; undefined for methods it did not limit. */
export function routeClassOf(method: string, routePattern: string | undefined): RouteClass | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'DELETE':
      return 'delete';
    case 'POST':
      return routePattern !== undefined && RUN_CREATION_ROUTES.has(withoutApiPrefix(routePattern)) ? 'runs' : 'post';
    default:
      return undefined;
  }
}

/**
 * An onRequest hook to install after authentication (it counts per project). Every limited request gets
 * OpenAI's `x-ratelimit-*-requests` headers, a refused one a 429 with `retry-after` in whole seconds,
 * which the official SDK waits for before it retries.
 */
export function createRateLimitHook(
  settings: RateLimitSettings,
  limiter: RateLimiter,
  listener: RateLimitListener | undefined,
) {
  return async function limitRate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const routeClass = routeClassOf(request.method, request.routeOptions.url);
    if (routeClass === undefined) return;
    const limit = limitFor(settings, request.project, routeClass);
    if (limit === undefined) return;
    const decision = await limiter.take(`${request.project}\u0000${routeClass}`, {
      requests: limit,
      windowMs: settings.windowMs,
    });
    void reply
      .header('x-ratelimit-limit-requests', String(limit))
      .header('x-ratelimit-remaining-requests', String(decision.remaining))
      .header('x-ratelimit-reset-requests', formatDuration(decision.resetMs));
    if (decision.allowed) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    void reply.header('retry-after', String(retryAfterSeconds));
    listener?.countRateLimited(request.project, routeClass);
    const window = settings.windowMs === 60_000 ? 'min' : formatDuration(settings.windowMs);
    throw errors.rateLimitReached(request.project, CLASS_NAMES[routeClass], limit, window, `${retryAfterSeconds}s`);
  };
}

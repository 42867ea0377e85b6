import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';

/** What the HTTP layer records into and serves (the server's Prometheus registry, src/metrics/). */
export interface HttpMetrics {
  readonly contentType: string;
  render(): Promise<string>;
  /** `route` is the route pattern (`/v1/threads/:thread_id`), never the raw URL, so series stay few. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  countRateLimited(project: string, routeClass: string): void;
}

/** Scrapes and health checks would drown the traffic they are meant to watch. */
const UNCOUNTED_ROUTES = new Set(['/metrics', '/health']);

/**
 * `GET /metrics` in Prometheus's text format, open unless `token` is set (then `Authorization: Bearer
 * <token>`, independent of API_KEYS: scrapers are not API clients), and a hook timing every other response.
 * Register it before the routes it should time.
 */
export function registerMetrics(app: FastifyInstance, metrics: HttpMetrics, token: string | undefined): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && UNCOUNTED_ROUTES.has(route)) return;
    metrics.observeRequest(request.method, route ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined) checkToken(request.headers.authorization, token);
    return reply.header('content-type', metrics.contentType).send(await metrics.render());
  });
}

function checkToken(header: string | undefined, token: string): void {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw errors.missingApiKey();
  // Digests have equal lengths, so the comparison takes the same time whatever was sent.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!timingSafeEqual(digest(match[1]!), digest(token))) throw errors.invalidApiKey(match[1]!);
}

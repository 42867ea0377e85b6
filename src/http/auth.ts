import type { FastifyRequest } from 'fastify';
import { errors } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The project of the API key that made the request; every object read or written is scoped to it. */
    project: string;
  }
}

/** One API key and the project whose objects it can see. */
export interface ApiKeyEntry {
  readonly key: string;
  readonly project: string;
}

/**
 * Resolves the bearer token to a project. With no keys configured every token is accepted
 * into the `default` project (the server logs a warning at start-up); a missing token is always a 401.
 */
export function createAuthenticator(apiKeys: readonly ApiKeyEntry[] | undefined) {
  const projectsByKey = new Map(apiKeys?.map((entry) => [entry.key, entry.project]));
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw errors.missingApiKey();
    const key = match[1]!;
    if (apiKeys === undefined) {
      request.project = 'default';
      return;
    }
    const project = projectsByKey.get(key);
    if (project === undefined) throw errors.invalidApiKey(key);
    request.project = project;
  };
}

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
 * Resolves the request's API key to a project. With no keys configured every key is accepted into the `default`
 * project (the server logs a warning at start-up); a request without one is always a 401.
 */
export function createAuthenticator(apiKeys: readonly ApiKeyEntry[] | undefined) {
  const projectsByKey = new Map(apiKeys?.map((entry) => [entry.key, entry.project]));
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const key = requestApiKey(request);
    if (key === undefined) throw errors.missingApiKey();
    if (apiKeys === undefined) {
      request.project = 'default';
      return;
    }
    const project = projectsByKey.get(key);
    if (project === undefined) throw errors.invalidApiKey(key);
    request.project = project;
  };
}

/**
 * `Authorization: Bearer <key>`, as OpenAI's clients send it, or else `api-key: <key>`, as Azure OpenAI's do (the
 * SDK's `AzureOpenAI` given an `apiKey`; given a Microsoft Entra token provider it sends a bearer instead).
 */
function requestApiKey(request: FastifyRequest): string | undefined {
  const { authorization, 'api-key': azureKey } = request.headers;
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (bearer !== undefined) return bearer;
  const key = typeof azureKey === 'string' ? azureKey.trim() : '';
  return key === '' ? undefined : key;
}

import type { FastifyRequest } from 'fastify';
import { azureApiVersion } from '../api/azure-api-versions.js';

/** Refuses an `api-version` Azure OpenAI never served Assistants under (see `azureApiVersion`). */
export async function checkAzureApiVersion(request: FastifyRequest): Promise<void> {
  azureApiVersion(request.query as Record<string, unknown>);
}

import OpenAI from 'openai';

/** Where the API lives: the server that serves the Playground. */
export function apiBaseURL(): string {
  return `${window.location.origin}/v1`;
}

/**
 * The official SDK, as a user's own code would create it, pointed at this server. Every 401 calls `onUnauthorized`
 * (the stored key is wrong or was revoked), whichever call met it.
 */
export function createClient(apiKey: string, onUnauthorized: () => void): OpenAI {
  return new OpenAI({
    baseURL: apiBaseURL(),
    apiKey,
    dangerouslyAllowBrowser: true,
    maxRetries: 0,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) onUnauthorized();
      return response;
    },
  });
}

/** The text to show for a failed call: the API's own message when there is one. */
export function errorMessage(error: unknown): string {
  if (error instanceof OpenAI.APIError) {
    const body = error.error as { message?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : error.message;
    return error.status === undefined ? message : `${error.status}: ${message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Where OpenAI's clients find the API: `baseURL` `https://api.openai.com/v1`. */
export const OPENAI_PREFIX = '/v1';

/** Where Azure OpenAI's clients find it: the SDK's `AzureOpenAI` calls `{endpoint}/openai/assistants?api-version=…`. */
export const AZURE_PREFIX = '/openai';

const PREFIX_PATTERN = new RegExp(`^(?:${OPENAI_PREFIX}|${AZURE_PREFIX})(?=/)`);

/** A route pattern without the prefix it was served under (`/openai/threads/runs` → `/threads/runs`). */
export function withoutApiPrefix(routePattern: string): string {
  return routePattern.replace(PREFIX_PATTERN, '');
}

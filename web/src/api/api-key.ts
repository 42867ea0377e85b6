const STORAGE_KEY = 'assistants-playground.api-key';

/** The key the user entered, kept in this browser until they forget it. */
export function storedApiKey(): string | null {
  return window.localStorage.getItem(STORAGE_KEY);
}

export function storeApiKey(key: string): void {
  window.localStorage.setItem(STORAGE_KEY, key);
}

export function forgetApiKey(): void {
  window.localStorage.removeItem(STORAGE_KEY);
}

/** What the server tells the Playground before any API call: whether `API_KEYS` is set. */
export interface PlaygroundConfig {
  authRequired: boolean;
}

export async function loadPlaygroundConfig(): Promise<PlaygroundConfig> {
  const response = await fetch(new URL('config.json', `${window.location.origin}/playground/`));
  if (!response.ok) throw new Error(`The Playground's settings could not be read (${response.status}).`);
  return (await response.json()) as PlaygroundConfig;
}

/**
 * A list this browser tab remembers (sessionStorage): the Responses API cannot list responses or conversations, so
 * the Playground keeps the ids it made, newest first, until the tab is closed.
 */
export interface SessionEntry {
  id: string;
  /** The first words of its input, or a name. */
  title: string;
  createdAt: number;
}

export function sessionList(key: string): SessionEntry[] {
  try {
    const parsed = JSON.parse(window.sessionStorage.getItem(key) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as SessionEntry[]) : [];
  } catch {
    return [];
  }
}

/** Adds the entry first (replacing one with the same id) and returns the new list. */
export function rememberInSession(key: string, entry: SessionEntry): SessionEntry[] {
  const entries = [entry, ...sessionList(key).filter((item) => item.id !== entry.id)];
  window.sessionStorage.setItem(key, JSON.stringify(entries));
  return entries;
}

export function forgetInSession(key: string, id: string): SessionEntry[] {
  const entries = sessionList(key).filter((item) => item.id !== id);
  window.sessionStorage.setItem(key, JSON.stringify(entries));
  return entries;
}

export const RESPONSES_KEY = 'assistants-playground.responses';
export const CONVERSATIONS_KEY = 'assistants-playground.conversations';

/**
 * The Assistants API has no "list threads" operation, so the Playground remembers the threads it created (or was
 * sent to by a deep link) per assistant, in this browser's storage, as OpenAI's Playground did.
 */
export interface ThreadEntry {
  id: string;
  /** The first words of its first message, or "New thread". */
  title: string;
  createdAt: number;
}

const PREFIX = 'assistants-playground.threads.';

export function threadsOf(assistantId: string): ThreadEntry[] {
  try {
    const parsed = JSON.parse(window.localStorage.getItem(PREFIX + assistantId) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as ThreadEntry[]) : [];
  } catch {
    return [];
  }
}

function save(assistantId: string, threads: ThreadEntry[]): void {
  window.localStorage.setItem(PREFIX + assistantId, JSON.stringify(threads));
}

/** Adds the thread (newest first), or renames it when it is already there. */
export function rememberThread(assistantId: string, entry: ThreadEntry): ThreadEntry[] {
  const others = threadsOf(assistantId).filter((thread) => thread.id !== entry.id);
  const threads = [entry, ...others];
  save(assistantId, threads);
  return threads;
}

export function forgetThread(assistantId: string, threadId: string): ThreadEntry[] {
  const threads = threadsOf(assistantId).filter((thread) => thread.id !== threadId);
  save(assistantId, threads);
  return threads;
}

import { useEffect, useState } from 'preact/hooks';
import { type ThreadEntry, threadsOf } from '../api/thread-history.js';
import { navigate, routeHref } from '../router.js';

export const THREADS_CHANGED = 'playground:threads-changed';

/** The threads this browser knows for an assistant (the API cannot list threads), newest first. */
export function ThreadList({ assistantId, selectedThreadId }: { assistantId: string; selectedThreadId?: string }) {
  const [threads, setThreads] = useState<ThreadEntry[]>(() => threadsOf(assistantId));
  useEffect(() => {
    const update = () => setThreads(threadsOf(assistantId));
    update();
    window.addEventListener(THREADS_CHANGED, update);
    return () => window.removeEventListener(THREADS_CHANGED, update);
  }, [assistantId, selectedThreadId]);
  return (
    <nav class="threads" aria-label="Threads">
      <div class="sidebar-head">
        <h2>Threads</h2>
        <button
          type="button"
          class="secondary"
          onClick={() => navigate({ page: 'assistants', assistant: assistantId })}
        >
          New thread
        </button>
      </div>
      {threads.length === 0 && <p class="muted">No threads yet: send a message to start one.</p>}
      <ul class="item-list">
        {threads.map((thread) => (
          <li key={thread.id}>
            <a
              class="item"
              href={routeHref({ page: 'assistants', assistant: assistantId, thread: thread.id })}
              aria-current={thread.id === selectedThreadId ? 'true' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate({ page: 'assistants', assistant: assistantId, thread: thread.id });
              }}
            >
              <span>{thread.title}</span>
              <small class="mono">{thread.id}</small>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import { forgetInSession, RESPONSES_KEY, type SessionEntry, sessionList } from '../api/session-list.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';
import { RESPONSES_CHANGED } from './use-response-stream.js';

/** The stored responses this tab created (the API cannot list them): open one to retrieve it, or delete it. */
export function ResponseList({
  selectedId,
  onRetrieve,
  onDeleted,
}: {
  selectedId: string | undefined;
  onRetrieve: (responseId: string) => void;
  onDeleted: (responseId: string) => void;
}) {
  const { client } = useSession();
  const [entries, setEntries] = useState<SessionEntry[]>(() => sessionList(RESPONSES_KEY));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const update = () => setEntries(sessionList(RESPONSES_KEY));
    window.addEventListener(RESPONSES_CHANGED, update);
    return () => window.removeEventListener(RESPONSES_CHANGED, update);
  }, []);

  const remove = async (responseId: string) => {
    setError(null);
    try {
      await client.responses.delete(responseId);
    } catch (caught) {
      // Already gone (deleted elsewhere, or expired): it leaves the list all the same.
      if (!errorMessage(caught).startsWith('404')) {
        setError(errorMessage(caught));
        return;
      }
    }
    setEntries(forgetInSession(RESPONSES_KEY, responseId));
    onDeleted(responseId);
  };

  return (
    <nav class="threads" aria-label="Responses">
      <h2>This session's responses</h2>
      <ErrorMessage message={error} />
      {entries.length === 0 && <p class="muted">None yet: stored responses you send appear here.</p>}
      <ul class="item-list">
        {entries.map((entry) => (
          <li key={entry.id} class="response-entry">
            <button
              type="button"
              class="item"
              aria-current={entry.id === selectedId ? 'true' : undefined}
              onClick={() => onRetrieve(entry.id)}
            >
              <span>{entry.title}</span>
              <small class="mono">{entry.id}</small>
            </button>
            <ConfirmButton label="Delete" onConfirm={() => void remove(entry.id)} />
          </li>
        ))}
      </ul>
    </nav>
  );
}

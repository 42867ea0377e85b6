import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import { rememberThread, threadsOf } from '../api/thread-history.js';
import type { Assistant } from '../api/types.js';
import { ChatView } from '../chat/chat-view.js';
import { ErrorMessage } from '../components/error-message.js';
import { navigate, type Route, routeHref } from '../router.js';
import { useSession } from '../session.js';
import { ThreadList } from '../threads/thread-list.js';
import { AssistantEditor } from './assistant-editor.js';

const NEW = 'new';

/** Assistants down the side with the selected one's threads; its chat or its settings in the middle. */
export function AssistantsPage({ route }: { route: Route }) {
  const { client } = useSession();
  const [assistants, setAssistants] = useState<Assistant[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<'chat' | 'settings'>('chat');

  const load = useCallback(async () => {
    try {
      const page = await client.beta.assistants.list({ limit: 100 });
      setAssistants(page.data);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [client]);
  useEffect(() => void load(), [load]);

  const selectedId = route.assistant;
  const selected = assistants?.find((assistant) => assistant.id === selectedId) ?? null;

  // A deep link's thread joins the assistant's thread list, so it can be found again.
  useEffect(() => {
    if (selectedId && selectedId !== NEW && route.thread && !threadsOf(selectedId).some((t) => t.id === route.thread)) {
      rememberThread(selectedId, { id: route.thread, title: route.thread, createdAt: Date.now() / 1000 });
    }
  }, [selectedId, route.thread]);

  const select = (assistantId: string | undefined) => {
    setTab(assistantId === NEW ? 'settings' : 'chat');
    navigate({ page: 'assistants', assistant: assistantId });
  };

  return (
    <div class="assistants-page">
      <aside class="sidebar" aria-label="Assistants and threads">
        <div class="sidebar-head">
          <h2>Assistants</h2>
          <button type="button" onClick={() => select(NEW)}>
            New assistant
          </button>
        </div>
        <ErrorMessage message={error} />
        {assistants !== null && assistants.length === 0 && <p class="muted">No assistants yet.</p>}
        <ul class="item-list" aria-label="Assistants">
          {(assistants ?? []).map((assistant) => (
            <li key={assistant.id}>
              <a
                class="item"
                href={routeHref({ page: 'assistants', assistant: assistant.id })}
                aria-current={assistant.id === selectedId ? 'true' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  select(assistant.id);
                }}
              >
                <span>{assistant.name || 'Untitled assistant'}</span>
                <small class="mono">{assistant.model}</small>
              </a>
            </li>
          ))}
        </ul>
        {selected !== null && <ThreadList assistantId={selected.id} selectedThreadId={route.thread} />}
      </aside>
      <section class="workspace">
        {selectedId === NEW && (
          <AssistantEditor
            assistant={null}
            onSaved={(created) => {
              setAssistants((current) => [created, ...(current ?? [])]);
              setTab('settings');
              navigate({ page: 'assistants', assistant: created.id });
            }}
            onDeleted={() => undefined}
          />
        )}
        {selected !== null && (
          <>
            <div class="tabs" role="tablist" aria-label="Assistant views">
              <button type="button" role="tab" aria-selected={tab === 'chat'} onClick={() => setTab('chat')}>
                Chat
              </button>
              <button type="button" role="tab" aria-selected={tab === 'settings'} onClick={() => setTab('settings')}>
                Settings
              </button>
            </div>
            {tab === 'chat' ? (
              <ChatView assistant={selected} threadId={route.thread} />
            ) : (
              <AssistantEditor
                assistant={selected}
                onSaved={(updated) =>
                  setAssistants((current) => (current ?? []).map((item) => (item.id === updated.id ? updated : item)))
                }
                onDeleted={(deletedId) => {
                  setAssistants((current) => (current ?? []).filter((item) => item.id !== deletedId));
                  navigate({ page: 'assistants' });
                }}
              />
            )}
          </>
        )}
        {selectedId !== undefined && selectedId !== NEW && assistants !== null && selected === null && (
          <ErrorMessage message={`No assistant ${selectedId} (it was deleted, or belongs to another API key).`} />
        )}
        {selectedId === undefined && <p class="muted">Choose an assistant, or create one.</p>}
      </section>
    </div>
  );
}

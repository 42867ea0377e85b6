import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import { CONVERSATIONS_KEY, rememberInSession, type SessionEntry, sessionList } from '../api/session-list.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';

/**
 * The conversation the response joins: one made here (the API cannot list them), any id typed in (an Assistants
 * `thread_…` too), or a new one.
 */
export function ConversationPicker({ value, onChange }: { value: string; onChange: (conversationId: string) => void }) {
  const { client } = useSession();
  const [known, setKnown] = useState<SessionEntry[]>(() => sessionList(CONVERSATIONS_KEY));
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    setError(null);
    try {
      const conversation = await client.conversations.create({});
      setKnown(
        rememberInSession(CONVERSATIONS_KEY, {
          id: conversation.id,
          title: 'Conversation',
          createdAt: conversation.created_at,
        }),
      );
      onChange(conversation.id);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <>
      <div class="row">
        <label>
          Conversation
          <input
            list="playground-conversations"
            value={value}
            placeholder="None"
            onInput={(event) => onChange(event.currentTarget.value)}
          />
          <datalist id="playground-conversations">
            {known.map((entry) => (
              <option key={entry.id} value={entry.id} />
            ))}
          </datalist>
        </label>
        <button type="button" class="secondary" onClick={() => void create()}>
          New conversation
        </button>
      </div>
      <ErrorMessage message={error} />
    </>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { VectorStore } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';
import { VectorStoreFiles } from '../vector-stores/vector-store-files.js';
import type { AssistantDraft } from './assistant-draft.js';

type Props = { draft: AssistantDraft; onChange: (change: Partial<AssistantDraft>) => void };

/** The assistant's vector store (attach one or create it here), its files, and the search settings. */
export function FileSearchSettings({ draft, onChange }: Props) {
  const { client } = useSession();
  const [stores, setStores] = useState<VectorStore[]>([]);
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    client.vectorStores.list({ limit: 100 }).then(
      (page) => live && setStores(page.data),
      (caught: unknown) => live && setError(errorMessage(caught)),
    );
    return () => {
      live = false;
    };
  }, [client]);

  const create = async () => {
    try {
      const store = await client.vectorStores.create({ name: newName.trim() });
      setStores((current) => [store, ...current]);
      setNewName('');
      onChange({ vectorStoreId: store.id });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <div class="tool-settings">
      <ErrorMessage message={error} />
      <label>
        Vector store
        <select
          value={draft.vectorStoreId}
          onChange={(event) => onChange({ vectorStoreId: event.currentTarget.value })}
        >
          <option value="">None</option>
          {stores.map((store) => (
            <option key={store.id} value={store.id}>
              {store.name || store.id}
            </option>
          ))}
        </select>
      </label>
      <div class="row">
        <label>
          New vector store name
          <input value={newName} onInput={(event) => setNewName(event.currentTarget.value)} />
        </label>
        <button type="button" class="secondary" disabled={newName.trim() === ''} onClick={() => void create()}>
          Create vector store
        </button>
      </div>
      {draft.vectorStoreId !== '' && <VectorStoreFiles storeId={draft.vectorStoreId} />}
      <div class="row">
        <label>
          Max results
          <input
            type="number"
            min={1}
            max={50}
            placeholder="20"
            value={draft.maxNumResults}
            onInput={(event) => onChange({ maxNumResults: event.currentTarget.value })}
          />
        </label>
        <label>
          Score threshold
          <input
            type="number"
            min={0}
            max={1}
            step={0.01}
            placeholder="0"
            value={draft.scoreThreshold}
            onInput={(event) => onChange({ scoreThreshold: event.currentTarget.value })}
          />
        </label>
      </div>
    </div>
  );
}

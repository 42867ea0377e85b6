import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { VectorStore } from '../api/types.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ErrorMessage } from '../components/error-message.js';
import { navigate, type Route, routeHref } from '../router.js';
import { useSession } from '../session.js';
import { VectorStoreFiles } from './vector-store-files.js';
import { VectorStoreSearch } from './vector-store-search.js';

export function VectorStoresPage({ route }: { route: Route }) {
  const { client } = useSession();
  const [stores, setStores] = useState<VectorStore[] | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setStores((await client.vectorStores.list({ limit: 100 })).data);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [client]);
  useEffect(() => void load(), [load]);

  const selected = stores?.find((store) => store.id === route.store) ?? null;

  const create = async () => {
    try {
      const store = await client.vectorStores.create({ name: name.trim() });
      setName('');
      await load();
      navigate({ page: 'vector-stores', store: store.id });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const remove = async (storeId: string) => {
    try {
      await client.vectorStores.delete(storeId);
      navigate({ page: 'vector-stores' });
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <div class="two-columns">
      <aside class="sidebar" aria-label="Vector stores">
        <h2>Vector stores</h2>
        <form
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            void create();
          }}
        >
          <label>
            Name
            <input value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <button type="submit" disabled={name.trim() === ''}>
            Create
          </button>
        </form>
        <ErrorMessage message={error} />
        {stores !== null && stores.length === 0 && <p class="muted">No vector stores yet.</p>}
        <ul class="item-list">
          {(stores ?? []).map((store) => (
            <li key={store.id}>
              <a
                class="item"
                href={routeHref({ page: 'vector-stores', store: store.id })}
                aria-current={store.id === route.store ? 'true' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  navigate({ page: 'vector-stores', store: store.id });
                }}
              >
                <span>{store.name || store.id}</span>
                <small>
                  {store.file_counts.completed}/{store.file_counts.total} files ready
                </small>
              </a>
            </li>
          ))}
        </ul>
      </aside>
      <section class="workspace">
        {selected === null ? (
          <p class="muted">Choose a vector store, or create one.</p>
        ) : (
          <>
            <div class="editor-actions">
              <h2>{selected.name || selected.id}</h2>
              <ConfirmButton label="Delete vector store" onConfirm={() => void remove(selected.id)} />
            </div>
            <p class="muted">
              <span class="mono">{selected.id}</span> · {selected.status} · {selected.usage_bytes.toLocaleString()}{' '}
              bytes
            </p>
            <VectorStoreFiles storeId={selected.id} />
            <VectorStoreSearch storeId={selected.id} />
          </>
        )}
      </section>
    </div>
  );
}

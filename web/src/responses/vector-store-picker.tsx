import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { VectorStore } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';

/** A choice among the project's vector stores (made and filled on the Vector stores page). */
export function VectorStorePicker({ value, onChange }: { value: string; onChange: (storeId: string) => void }) {
  const { client } = useSession();
  const [stores, setStores] = useState<VectorStore[]>([]);
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
  return (
    <>
      <ErrorMessage message={error} />
      <label>
        Vector store
        <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
          <option value="">Choose one</option>
          {stores.map((store) => (
            <option key={store.id} value={store.id}>
              {store.name || store.id}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

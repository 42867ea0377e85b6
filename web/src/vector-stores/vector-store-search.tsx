import type OpenAI from 'openai';
import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';

type Result = OpenAI.VectorStores.VectorStoreSearchResponse;

/** `POST /vector_stores/{id}/search`: the chunks a query finds, with their scores. */
export function VectorStoreSearch({ storeId }: { storeId: string }) {
  const { client } = useSession();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Result[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-label="Search the vector store">
      <form
        class="row"
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          try {
            const page = await client.vectorStores.search(storeId, { query, max_num_results: 10 });
            setResults(page.data);
          } catch (caught) {
            setError(errorMessage(caught));
          }
        }}
      >
        <label>
          Search query
          <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        </label>
        <button type="submit" disabled={query.trim() === ''}>
          Search
        </button>
      </form>
      <ErrorMessage message={error} />
      {results !== null && results.length === 0 && <p class="muted">Nothing found.</p>}
      {results !== null && results.length > 0 && (
        <ol class="search-results" aria-label="Search results">
          {results.map((result, index) => (
            <li key={index}>
              <strong>{result.filename}</strong> <span class="score">score {result.score.toFixed(3)}</span>
              {result.content.map((part, at) => (
                <blockquote key={at}>{part.text}</blockquote>
              ))}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

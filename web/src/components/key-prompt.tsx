import { useState } from 'preact/hooks';

/** Asks for one of the server's API_KEYS; the key stays in this browser until "Forget API key". */
export function KeyPrompt({ rejected, onSubmit }: { rejected: boolean; onSubmit: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <main class="key-prompt">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim() !== '') onSubmit(key.trim());
        }}
      >
        <h1>Playground</h1>
        <p>This server requires an API key (one of its API_KEYS). It is kept in this browser until you forget it.</p>
        {rejected && (
          <p role="alert" class="error">
            The server refused that key. Enter another one.
          </p>
        )}
        <label>
          API key
          <input
            type="password"
            autoComplete="off"
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            // biome-ignore lint/a11y/noAutofocus: the page holds nothing else; the key is what the user came to type.
            autoFocus
          />
        </label>
        <button type="submit" disabled={key.trim() === ''}>
          Continue
        </button>
      </form>
    </main>
  );
}

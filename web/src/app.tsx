import { useEffect, useMemo, useState } from 'preact/hooks';
import { forgetApiKey, loadPlaygroundConfig, type PlaygroundConfig, storeApiKey, storedApiKey } from './api/api-key.js';
import { createClient } from './api/client.js';
import { AssistantsPage } from './assistants/assistants-page.js';
import { ErrorMessage } from './components/error-message.js';
import { KeyPrompt } from './components/key-prompt.js';
import { FilesPage } from './files/files-page.js';
import { ResponsesPage } from './responses/responses-page.js';
import { navigate, type Page, type Route, routeHref, useRoute } from './router.js';
import { type Session, SessionContext } from './session.js';
import { VectorStoresPage } from './vector-stores/vector-stores-page.js';

/** Without API_KEYS the server takes any bearer token; the SDK still needs one to send. */
const OPEN_SERVER_KEY = 'playground';

export function App() {
  const [config, setConfig] = useState<PlaygroundConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [apiKey, setApiKey] = useState(storedApiKey);
  const [rejected, setRejected] = useState(false);

  useEffect(() => {
    loadPlaygroundConfig().then(setConfig, (error: Error) => setConfigError(error.message));
  }, []);

  const key = config?.authRequired === false ? (apiKey ?? OPEN_SERVER_KEY) : apiKey;
  const session = useMemo<Session | null>(() => {
    if (key === null) return null;
    const onUnauthorized = () => {
      forgetApiKey();
      setApiKey(null);
      setRejected(true);
    };
    return { client: createClient(key, onUnauthorized), apiKey: key, onUnauthorized };
  }, [key]);

  if (configError !== null) return <ErrorMessage message={configError} />;
  if (config === null) return <p class="loading">Loading…</p>;
  if (session === null) {
    return (
      <KeyPrompt
        rejected={rejected}
        onSubmit={(entered) => {
          storeApiKey(entered);
          setRejected(false);
          setApiKey(entered);
        }}
      />
    );
  }
  const forget = () => {
    forgetApiKey();
    setApiKey(null);
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell canForget={apiKey !== null} onForget={forget} />
    </SessionContext.Provider>
  );
}

const NAV: ReadonlyArray<[Page, string]> = [
  ['assistants', 'Assistants'],
  ['responses', 'Responses'],
  ['vector-stores', 'Vector stores'],
  ['files', 'Files'],
];

function Shell({ canForget, onForget }: { canForget: boolean; onForget: () => void }) {
  const route = useRoute();
  return (
    <div class="shell">
      <header class="topbar">
        <h1>Playground</h1>
        <nav aria-label="Pages">
          {NAV.map(([page, label]) => (
            <a
              key={page}
              class="nav-link"
              href={routeHref({ page })}
              aria-current={route.page === page ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate({ page });
              }}
            >
              {label}
            </a>
          ))}
        </nav>
        {canForget && (
          <button type="button" class="secondary" onClick={onForget}>
            Forget API key
          </button>
        )}
      </header>
      <main>
        <PageView route={route} />
      </main>
    </div>
  );
}

function PageView({ route }: { route: Route }) {
  switch (route.page) {
    case 'responses':
      return <ResponsesPage />;
    case 'vector-stores':
      return <VectorStoresPage route={route} />;
    case 'files':
      return <FilesPage />;
    default:
      return <AssistantsPage route={route} />;
  }
}

import { useEffect, useState } from 'preact/hooks';

export type Page = 'assistants' | 'responses' | 'vector-stores' | 'files';

/** Everything the URL holds, so any view can be linked to: `/playground?assistant=asst_…&thread=thread_…`. */
export interface Route {
  page: Page;
  assistant?: string | undefined;
  thread?: string | undefined;
  store?: string | undefined;
}

const PAGES: readonly Page[] = ['assistants', 'responses', 'vector-stores', 'files'];
const NAVIGATE_EVENT = 'playground:navigate';

export function readRoute(): Route {
  const params = new URLSearchParams(window.location.search);
  const page = params.get('page') as Page | null;
  return {
    page: page !== null && PAGES.includes(page) ? page : 'assistants',
    assistant: params.get('assistant') ?? undefined,
    thread: params.get('thread') ?? undefined,
    store: params.get('store') ?? undefined,
  };
}

export function routeHref(route: Route): string {
  const params = new URLSearchParams();
  if (route.page !== 'assistants') params.set('page', route.page);
  if (route.assistant) params.set('assistant', route.assistant);
  if (route.thread) params.set('thread', route.thread);
  if (route.store) params.set('store', route.store);
  const query = params.toString();
  return `${window.location.pathname}${query === '' ? '' : `?${query}`}`;
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = routeHref(route);
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current route, following links, the back button and `navigate`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const update = () => setRoute(readRoute());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}

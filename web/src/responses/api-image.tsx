import { useEffect, useState } from 'preact/hooks';
import { apiBaseURL } from '../api/client.js';
import { useSession } from '../session.js';

/**
 * An image a response points at by URL. This server's own URLs (`/v1/files/…/content`,
 * `/v1/containers/…/files/…/content`) need the API key, which an `<img src>` cannot send: those bytes are fetched with
 * it and shown from a blob: URL. Other URLs (data:, elsewhere) are shown as they are.
 */
export function ApiImage({ url, alt }: { url: string; alt: string }) {
  const { apiKey, onUnauthorized } = useSession();
  const own = url.startsWith(`${apiBaseURL()}/`);
  const [src, setSrc] = useState<string | null>(own ? null : url);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!own) return;
    let objectUrl: string | undefined;
    let live = true;
    fetch(url, { headers: { Authorization: `Bearer ${apiKey}` } })
      .then(async (response) => {
        if (response.status === 401) onUnauthorized();
        if (!response.ok) throw new Error(String(response.status));
        objectUrl = URL.createObjectURL(await response.blob());
        if (live) setSrc(objectUrl);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
      if (objectUrl !== undefined) URL.revokeObjectURL(objectUrl);
    };
  }, [url, own, apiKey, onUnauthorized]);
  if (failed) return <p class="muted">The image could not be loaded: {url}</p>;
  if (src === null) return <p class="muted">Loading the image…</p>;
  return <img class="file-image" src={src} alt={alt} />;
}

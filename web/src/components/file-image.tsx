import { useEffect, useState } from 'preact/hooks';
import { fileObjectUrl } from '../api/download.js';
import { useSession } from '../session.js';

/** An `image_file` part: the bytes come through the SDK (they need the key), then show as an image. */
export function FileImage({ fileId, alt }: { fileId: string; alt: string }) {
  const { client } = useSession();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    fileObjectUrl(client, fileId).then(
      (objectUrl) => live && setUrl(objectUrl),
      (error: Error) => live && setFailed(error.message),
    );
    return () => {
      live = false;
    };
  }, [client, fileId]);
  if (failed !== null)
    return (
      <span class="error">
        Image {fileId} could not be loaded: {failed}
      </span>
    );
  if (url === null) return <span class="muted">Loading image…</span>;
  return <img class="file-image" src={url} alt={alt} />;
}

import type { BlobStore } from '../files/blob-store.js';
import { readAll } from '../files/read-all.js';
import type { Store } from '../store/store.js';
import type { ImageLoader } from './to-chat-message.js';

/** Images above this are not sent to the model (providers reject them anyway). */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** Reads a project's image files for vision models; missing or oversized files are left out. */
export function imageLoader(store: Store, blobs: BlobStore) {
  return (project: string): ImageLoader =>
    async (fileId) => {
      const stored = await store.files.get(project, fileId);
      if (!stored || stored.file.bytes > MAX_IMAGE_BYTES) return undefined;
      return { data: await readAll(await blobs.read(stored.blobKey)), mediaType: stored.contentType };
    };
}

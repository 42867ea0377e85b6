import type { Client } from './types.js';

const objectUrls = new Map<string, Promise<string>>();

/**
 * A blob: URL for a File's bytes. The content endpoint needs the API key, which an `<img src>` or a plain link
 * cannot send, so the bytes come through the SDK once and are kept for the page's life.
 */
export function fileObjectUrl(client: Client, fileId: string): Promise<string> {
  let url = objectUrls.get(fileId);
  if (url === undefined) {
    url = client.files
      .content(fileId)
      .then((response) => response.blob())
      .then((blob) => URL.createObjectURL(blob));
    url.catch(() => objectUrls.delete(fileId));
    objectUrls.set(fileId, url);
  }
  return url;
}

/** Saves a File to the user's downloads under its own name. */
export async function downloadFile(client: Client, fileId: string, filename?: string): Promise<void> {
  const name = filename ?? (await client.files.retrieve(fileId)).filename;
  const link = document.createElement('a');
  link.href = await fileObjectUrl(client, fileId);
  link.download = name.split('/').at(-1) ?? name;
  document.body.append(link);
  link.click();
  link.remove();
}

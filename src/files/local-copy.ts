import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from './blob-store.js';

/**
 * Runs `use` with a path on this machine that holds the blob's bytes: the blob's own file when the store keeps
 * one (disk), otherwise a temporary copy streamed from the store (S3) and removed once `use` settles. Parsers that
 * need random access (PDF, DOCX) read the file, so a file of hundreds of MB never sits in the server's memory.
 */
export async function withLocalPath<T>(blobs: BlobStore, key: string, use: (file: string) => Promise<T>): Promise<T> {
  const local = blobs.localPath?.(key);
  if (local !== undefined) return use(local);
  const directory = await mkdtemp(path.join(tmpdir(), 'assistants-blob-'));
  try {
    const file = path.join(directory, 'blob');
    await pipeline(await blobs.read(key), createWriteStream(file, { mode: 0o600 }));
    return await use(file);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

import type { Readable } from 'node:stream';
import type { OpenAIFile } from '../../api/types.js';
import type { BlobStore } from '../../files/blob-store.js';
import { guessContentType } from '../../files/content-type.js';
import { newId, nowSeconds } from '../../ids.js';
import type { Store } from '../../store/store.js';

/** The project's Files as the sandbox sees them: inputs opened by id, outputs saved as new Files. */
export interface ProjectFiles {
  open(project: string, fileId: string): Promise<{ filename: string; stream: Readable } | undefined>;
  /** Stores bytes the code produced as a File of the project (purpose `assistants_output`). */
  save(project: string, filename: string, source: Readable | AsyncIterable<Uint8Array>): Promise<OpenAIFile>;
}

export function projectFiles(store: Store, blobs: BlobStore): ProjectFiles {
  return {
    async open(project, fileId) {
      const stored = await store.files.get(project, fileId);
      return stored && { filename: stored.file.filename, stream: await blobs.read(stored.blobKey) };
    },
    async save(project, filename, source) {
      const fileId = newId('file-');
      const blobKey = `files/${fileId}`;
      const written = await blobs.write(blobKey, source);
      const file: OpenAIFile = {
        id: fileId,
        object: 'file',
        bytes: written.bytes,
        created_at: nowSeconds(),
        filename,
        purpose: 'assistants_output',
        status: 'processed',
      };
      try {
        await store.files.insert(project, { file, blobKey, contentType: guessContentType(filename) });
      } catch (error) {
        await blobs.delete(blobKey);
        throw error;
      }
      return file;
    },
  };
}

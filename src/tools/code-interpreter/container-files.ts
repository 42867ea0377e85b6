import type { Readable } from 'node:stream';
import { type ContainerFile, containerBlobKey, newContainerFile } from '../../api/container-objects.js';
import type { BlobStore } from '../../files/blob-store.js';
import { nowSeconds } from '../../ids.js';
import type { Store } from '../../store/store.js';

/** A container's files as its sandbox sees them: what /mnt/data should hold, and what the code wrote there. */
export interface ContainerFiles {
  /** Marks the container used now; false when it cannot run code (deleted, expired). */
  touch(project: string, containerId: string): Promise<boolean>;
  /** Every file the container holds, oldest first. */
  list(project: string, containerId: string): Promise<ContainerFile[]>;
  open(project: string, containerId: string, fileId: string): Promise<Readable | undefined>;
  /**
   * Keeps bytes the code wrote at `path` as a file of the container (source `assistant`), replacing the file that
   * was there; undefined (nothing kept) when the container stopped running meanwhile.
   */
  save(
    project: string,
    containerId: string,
    path: string,
    source: Readable | AsyncIterable<Uint8Array>,
  ): Promise<ContainerFile | undefined>;
}

export function containerFiles(store: Store, blobs: BlobStore): ContainerFiles {
  return {
    async touch(project, containerId) {
      return (await store.containers.touch(project, containerId, nowSeconds())) !== undefined;
    },
    async list(project, containerId) {
      return (await store.containers.allFiles(project, containerId)).map((stored) => stored.file);
    },
    async open(project, containerId, fileId) {
      const stored = await store.containers.getFile(project, containerId, fileId);
      return stored && blobs.read(stored.blobKey);
    },
    async save(project, containerId, path, source) {
      const blobKey = containerBlobKey(containerId);
      const written = await blobs.write(blobKey, source);
      const file = newContainerFile(containerId, path, written.bytes, 'assistant');
      let replaced: string[] | undefined;
      try {
        replaced = await store.containers.insertFile(project, { file, blobKey }, nowSeconds());
      } catch (error) {
        await blobs.delete(blobKey);
        throw error;
      }
      if (!replaced) {
        await blobs.delete(blobKey);
        return undefined;
      }
      await Promise.all(replaced.map((key) => blobs.delete(key)));
      return file;
    },
  };
}

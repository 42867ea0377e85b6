import type { Readable } from 'node:stream';
import {
  type Container,
  type ContainerFile,
  containerBlobKey,
  containerFilePath,
  newContainerFile,
} from '../api/container-objects.js';
import type { Page, PageRequest } from '../api/pagination.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import { guessContentType } from '../files/content-type.js';
import { nowSeconds } from '../ids.js';
import type { StoredContainerFile } from '../store/container-repository.js';
import type { Store } from '../store/store.js';
import type { StagedBlob } from './files.js';

/** What the file operations need of the containers themselves (ContainerService). */
export interface ContainerLookup {
  /** The container, expired or not; 404 when there is none. */
  get(project: string, id: string): Promise<Container>;
  /** A running container, marked used now; 404 or `Container is expired.` otherwise. */
  live(project: string, id: string): Promise<Container>;
}

/** Where a new container file's bytes come from: a File of the project, or bytes uploaded with the request. */
export type ContainerFileSource = { fileId: string } | { staged: StagedBlob; filename: string };

/** Files of containers. Their bytes live in the blob store, so any process can serve them. */
export class ContainerFileService {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly containers: ContainerLookup,
  ) {}

  /** A fresh blob key for bytes that may become a file of the container. */
  newBlobKey(containerId: string): string {
    return containerBlobKey(containerId);
  }

  /** Refuses an upload before its bytes are stored when the container cannot take it. */
  async admit(project: string, containerId: string): Promise<void> {
    await this.containers.live(project, containerId);
  }

  async create(project: string, containerId: string, source: ContainerFileSource): Promise<ContainerFile> {
    let stored: StoredContainerFile;
    try {
      await this.containers.live(project, containerId);
      stored =
        'fileId' in source
          ? (await this.copyFiles(project, containerId, [source.fileId], 'file_id'))[0]!
          : userFile(containerId, source.filename, source.staged);
    } catch (error) {
      if ('staged' in source) await this.blobs.delete(source.staged.blobKey);
      throw error;
    }
    const replaced = await this.store.containers.insertFile(project, stored, nowSeconds());
    if (!replaced) {
      await this.blobs.delete(stored.blobKey);
      // Deleted or expired meanwhile: answer as a later request would.
      await this.containers.live(project, containerId);
      throw errors.containerExpired();
    }
    await Promise.all(replaced.map((key) => this.blobs.delete(key)));
    return stored.file;
  }

  async get(project: string, containerId: string, fileId: string): Promise<ContainerFile> {
    return (await this.#stored(project, containerId, fileId)).file;
  }

  async content(
    project: string,
    containerId: string,
    fileId: string,
  ): Promise<{ file: ContainerFile; contentType: string; body: Readable }> {
    const stored = await this.#stored(project, containerId, fileId);
    return {
      file: stored.file,
      contentType: guessContentType(stored.file.path),
      body: await this.blobs.read(stored.blobKey),
    };
  }

  async list(project: string, containerId: string, page: PageRequest): Promise<Page<ContainerFile>> {
    await this.containers.get(project, containerId);
    return this.store.containers.listFiles(project, containerId, page);
  }

  async delete(
    project: string,
    containerId: string,
    fileId: string,
  ): Promise<{ id: string; object: 'container.file.deleted'; deleted: true }> {
    await this.containers.get(project, containerId);
    const blobKey = await this.store.containers.deleteFile(project, containerId, fileId);
    if (blobKey === undefined) throw errors.notFound('container file', fileId);
    await this.blobs.delete(blobKey);
    return { id: fileId, object: 'container.file.deleted', deleted: true };
  }

  /**
   * Copies Files of the project into new container files (not yet recorded), one per distinct path: of files with
   * the same name, the last one named wins, as copying them into one folder would leave it. A missing File is a
   * 404 naming `param`; on any failure the copies made so far are removed.
   */
  async copyFiles(
    project: string,
    containerId: string,
    fileIds: readonly string[],
    param: string,
  ): Promise<StoredContainerFile[]> {
    const sources = [];
    for (const fileId of new Set(fileIds)) {
      const stored = await this.store.files.get(project, fileId);
      const expired = stored?.file.expires_at !== undefined && stored.file.expires_at <= nowSeconds();
      if (!stored || expired) throw errors.fileNotFound(fileId, param);
      sources.push(stored);
    }
    const byPath = new Map(sources.map((source) => [containerFilePath(source.file.filename), source]));
    const copies: StoredContainerFile[] = [];
    try {
      for (const [path, source] of byPath) {
        const blobKey = containerBlobKey(containerId);
        const written = await this.blobs.concat(blobKey, [source.blobKey]);
        copies.push({ file: newContainerFile(containerId, path, written.bytes, 'user'), blobKey });
      }
    } catch (error) {
      await Promise.all(copies.map((copy) => this.blobs.delete(copy.blobKey)));
      throw error;
    }
    return copies;
  }

  async #stored(project: string, containerId: string, fileId: string): Promise<StoredContainerFile> {
    await this.containers.get(project, containerId);
    const stored = await this.store.containers.getFile(project, containerId, fileId);
    if (!stored) throw errors.notFound('container file', fileId);
    return stored;
  }
}

function userFile(containerId: string, filename: string, staged: StagedBlob): StoredContainerFile {
  const file = newContainerFile(containerId, containerFilePath(filename), staged.bytes, 'user');
  return { file, blobKey: staged.blobKey };
}

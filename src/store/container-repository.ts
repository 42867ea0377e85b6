import type { Container, ContainerFile } from '../api/container-objects.js';
import type { Page, PageRequest } from '../api/pagination.js';

/** A container file's record and where its bytes live in the blob store. */
export interface StoredContainerFile {
  file: ContainerFile;
  blobKey: string;
}

/** A container that just expired, and the blob keys of the files it lost (for the caller to delete). */
export interface ExpiredContainer {
  project: string;
  id: string;
  blobKeys: string[];
}

/**
 * Containers and their files. A container's row keeps its expiry (`last_active_at` + `expires_after.minutes`) as
 * a column, so the methods that use a container check it is running and not yet past it in the same statement.
 * A path holds one file per container, as a file system does: a new file at a taken path replaces the old one.
 */
export interface ContainerRepository {
  /** The container with its first files, in one transaction. */
  insert(project: string, container: Container, files: readonly StoredContainerFile[]): Promise<void>;
  get(project: string, id: string): Promise<Container | undefined>;
  list(project: string, page: PageRequest, filter?: { name?: string }): Promise<Page<Container>>;
  /**
   * Marks a running container used at `now` (its `last_active_at`, and so its expiry, move); the container as it is
   * now, or undefined (nothing changed) when it is missing, expired or past its expiry.
   */
  touch(project: string, id: string, now: number): Promise<Container | undefined>;
  /**
   * Running containers past their expiry at `now` — all, a project's, or one — become `expired` and lose their
   * files, in one transaction.
   */
  expireDue(now: number, only?: { project: string; id?: string }): Promise<ExpiredContainer[]>;
  /** Deletes the container and its files: their blob keys, or undefined when there was no such container. */
  delete(project: string, id: string): Promise<string[] | undefined>;
  /**
   * Adds a file to a container that is running at `now`, replacing any file at the same path: the replaced files'
   * blob keys, or undefined (nothing written) when the container is missing, expired or past its expiry.
   */
  insertFile(project: string, stored: StoredContainerFile, now: number): Promise<string[] | undefined>;
  getFile(project: string, containerId: string, fileId: string): Promise<StoredContainerFile | undefined>;
  listFiles(project: string, containerId: string, page: PageRequest): Promise<Page<ContainerFile>>;
  /** Every file of the container, oldest first (what its sandbox should hold). */
  allFiles(project: string, containerId: string): Promise<StoredContainerFile[]>;
  /** The deleted file's blob key, or undefined when there was no such file. */
  deleteFile(project: string, containerId: string, fileId: string): Promise<string | undefined>;
}

import { newId, nowSeconds } from '../ids.js';

/** The Containers API's objects as the server sends them (`ContainerResource`, `ContainerFileResource`). */

/** The memory sizes a container may ask for (`ContainerMemoryLimit`). */
export const CONTAINER_MEMORY_LIMITS = ['1g', '4g', '16g', '64g'] as const;
export type ContainerMemoryLimit = (typeof CONTAINER_MEMORY_LIMITS)[number];

/** `running` until it sits idle past `expires_after`; then `expired`, its files and sandbox gone. */
export type ContainerStatus = 'running' | 'expired';

export interface Container {
  id: string;
  object: 'container';
  name: string;
  created_at: number;
  status: ContainerStatus;
  expires_after: { anchor: 'last_active_at'; minutes: number };
  last_active_at: number;
  memory_limit: ContainerMemoryLimit;
}

/** Who put a file in a container: the client (an upload or a copied File), or the code that ran there. */
export type ContainerFileSource = 'user' | 'assistant';

export interface ContainerFile {
  id: string;
  object: 'container.file';
  container_id: string;
  created_at: number;
  bytes: number;
  /** Where the code sees it: `/mnt/data/<name>`. */
  path: string;
  source: ContainerFileSource;
}

/** What the sandbox sees of every container: its files live under this directory. */
export const CONTAINER_DATA_DIR = '/mnt/data';

/** The file's name as a citation shows it: the last part of its path. */
export function containerFileName(file: Pick<ContainerFile, 'path'>): string {
  return file.path.slice(file.path.lastIndexOf('/') + 1);
}

/**
 * Where a file named `filename` lives in a container: `/mnt/data/<name>`, the name reduced to a plain one (no
 * directories, nothing hidden behind `..`, no NUL), as the sandbox places it.
 */
export function containerFilePath(filename: string): string {
  const name = filename.replaceAll('\\', '/').split('/').at(-1)!.replaceAll('\0', '');
  return `${CONTAINER_DATA_DIR}/${name === '' || name === '.' || name === '..' ? 'file' : name}`;
}

/** A new container file record (`ContainerFileResource`). */
export function newContainerFile(
  containerId: string,
  path: string,
  bytes: number,
  source: ContainerFileSource,
): ContainerFile {
  return {
    id: newId('cfile_'),
    object: 'container.file',
    container_id: containerId,
    created_at: nowSeconds(),
    bytes,
    path,
    source,
  };
}

/** A fresh blob store key for the bytes of a file of the container. */
export function containerBlobKey(containerId: string): string {
  return `containers/${containerId}/${newId('cfile_')}`;
}

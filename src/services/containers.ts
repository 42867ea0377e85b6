import { CONTAINER_MEMORY_LIMITS, type Container, type ContainerMemoryLimit } from '../api/container-objects.js';
import type { Page, PageRequest } from '../api/pagination.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store } from '../store/store.js';
import { ContainerFileService } from './container-files.js';

/** `CreateContainerBody` as the schema lets it through. */
export interface CreateContainerBody {
  name: string;
  file_ids?: string[];
  expires_after?: { anchor: 'last_active_at'; minutes: number };
  memory_limit?: ContainerMemoryLimit;
  network_policy?: { type: string };
  skills?: unknown[];
}

/** The `container` of a Responses `code_interpreter` tool: a container's id, or one made for the response. */
export type CodeInterpreterContainer =
  | string
  | { type: 'auto'; file_ids?: string[] | null; memory_limit?: string | null };

export interface ContainerServiceOptions {
  /** Releases what a container held outside the store (its sandbox session), once it expired or was deleted. */
  onClosed?: (containerId: string) => Promise<void>;
}

/** OpenAI's default idle time before a container expires. */
const DEFAULT_EXPIRY_MINUTES = 20;
/** A day: an idle sandbox is not kept longer than this. */
const MAX_EXPIRY_MINUTES = 1440;
/** As many files as a `container: {type: 'auto'}` may name (`ContainerAutoParam.file_ids`). */
const MAX_FILE_IDS = 50;

/**
 * Containers: the sandboxes code_interpreter runs in for the Responses API, each with its own /mnt/data and Python
 * session. A container idle past `expires_after` expires: it stays listed as `expired`, its files and session go,
 * and any further use is refused. Expiry is applied when a container is next read and by a periodic sweep.
 */
export class ContainerService {
  readonly files: ContainerFileService;
  readonly #onClosed: (containerId: string) => Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    options: ContainerServiceOptions = {},
  ) {
    this.#onClosed = options.onClosed ?? (async () => undefined);
    this.files = new ContainerFileService(store, blobs, {
      get: (project, id) => this.get(project, id),
      live: (project, id) => this.live(project, id),
    });
  }

  /** `paramPrefix` goes before the params errors name (`container.` for an auto container of a response). */
  async create(project: string, body: CreateContainerBody, paramPrefix = ''): Promise<Container> {
    checkUnserved(body, paramPrefix);
    const minutes = body.expires_after?.minutes ?? DEFAULT_EXPIRY_MINUTES;
    if (minutes < 1) throw errors.integerBelowMin(`${paramPrefix}expires_after.minutes`, '>=', 1, minutes);
    if (minutes > MAX_EXPIRY_MINUTES) {
      throw errors.integerAboveMax(`${paramPrefix}expires_after.minutes`, '<=', MAX_EXPIRY_MINUTES, minutes);
    }
    const now = nowSeconds();
    const container: Container = {
      id: newId('cntr_'),
      object: 'container',
      name: body.name,
      created_at: now,
      status: 'running',
      expires_after: { anchor: 'last_active_at', minutes },
      last_active_at: now,
      memory_limit: body.memory_limit ?? '1g',
    };
    const files = await this.files.copyFiles(project, container.id, body.file_ids ?? [], `${paramPrefix}file_ids`);
    try {
      await this.store.containers.insert(project, container, files);
    } catch (error) {
      await this.#deleteBlobs(files.map((stored) => stored.blobKey));
      throw error;
    }
    return container;
  }

  async get(project: string, id: string): Promise<Container> {
    const container = await this.store.containers.get(project, id);
    if (!container) throw errors.notFound('container', id);
    if (!isDue(container)) return container;
    await this.#expire({ project, id });
    return { ...container, status: 'expired' };
  }

  async list(project: string, page: PageRequest, name?: string): Promise<Page<Container>> {
    const filter = name === undefined ? {} : { name };
    const listed = await this.store.containers.list(project, page, filter);
    if (!listed.data.some(isDue)) return listed;
    await this.#expire({ project });
    return this.store.containers.list(project, page, filter);
  }

  async delete(project: string, id: string): Promise<{ id: string; object: 'container.deleted'; deleted: true }> {
    const blobKeys = await this.store.containers.delete(project, id);
    if (!blobKeys) throw errors.notFound('container', id);
    await this.#deleteBlobs(blobKeys);
    await this.#onClosed(id);
    return { id, object: 'container.deleted', deleted: true };
  }

  /**
   * The container a Responses `code_interpreter` tool runs in: the one named, which must exist and be running
   * (it counts as used now), or a new one with the files an `auto` container names. `param` names the tool's
   * `container` in errors (e.g. `tools[0].container`).
   */
  async forCodeInterpreter(
    project: string,
    container: CodeInterpreterContainer,
    param = 'container',
  ): Promise<Container> {
    if (typeof container === 'string') return this.live(project, container, param);
    const memoryLimit = container.memory_limit ?? undefined;
    if (memoryLimit !== undefined && !(CONTAINER_MEMORY_LIMITS as readonly string[]).includes(memoryLimit)) {
      throw errors.unsupportedValue(
        `${param}.memory_limit`,
        `'${memoryLimit}'`,
        CONTAINER_MEMORY_LIMITS.map((limit) => `'${limit}'`).join(', '),
      );
    }
    const fileIds = container.file_ids ?? [];
    return this.create(
      project,
      {
        name: 'code_interpreter auto container',
        file_ids: fileIds,
        ...(memoryLimit === undefined ? {} : { memory_limit: memoryLimit as ContainerMemoryLimit }),
      },
      `${param}.`,
    );
  }

  /** A running container, marked used now: 404 when there is none, `Container is expired.` when it expired. */
  async live(project: string, id: string, param?: string): Promise<Container> {
    const touched = await this.store.containers.touch(project, id, nowSeconds());
    if (touched) return touched;
    const container = await this.store.containers.get(project, id);
    if (!container) throw errors.notFound('container', id, param);
    await this.#expire({ project, id });
    throw errors.containerExpired();
  }

  /** Expires every container idle past its time (the periodic sweep); how many expired. */
  async expireDue(): Promise<number> {
    return this.#expire();
  }

  async #expire(only?: { project: string; id?: string }): Promise<number> {
    const expired = await this.store.containers.expireDue(nowSeconds(), only);
    for (const container of expired) {
      await this.#deleteBlobs(container.blobKeys);
      await this.#onClosed(container.id);
    }
    return expired.length;
  }

  async #deleteBlobs(blobKeys: readonly string[]): Promise<void> {
    await Promise.all(blobKeys.map((key) => this.blobs.delete(key)));
  }
}

/** Past its expiry but not yet marked: the sweep has not come by since. */
function isDue(container: Container): boolean {
  return (
    container.status === 'running' && container.last_active_at + container.expires_after.minutes * 60 <= nowSeconds()
  );
}

/** What the sandbox cannot give: network access, skills. Refused by name rather than silently dropped. */
function checkUnserved(body: CreateContainerBody, paramPrefix: string): void {
  if (body.network_policy !== undefined && body.network_policy.type !== 'disabled') {
    throw errors.containerOptionUnsupported(
      `${paramPrefix}network_policy.type`,
      "containers here have no network access; the only policy served is 'disabled'.",
    );
  }
  if (body.skills !== undefined && body.skills.length > 0) {
    throw errors.containerOptionUnsupported(`${paramPrefix}skills`, 'skills are not supported by this server.');
  }
  if (body.file_ids !== undefined && body.file_ids.length > MAX_FILE_IDS) {
    throw errors.arrayTooLong(`${paramPrefix}file_ids`, MAX_FILE_IDS, body.file_ids.length);
  }
}

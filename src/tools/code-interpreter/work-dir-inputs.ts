import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { ContainerFiles } from './container-files.js';
import { DiskQuotaError } from './disk-quota.js';
import type { ProjectFiles } from './project-files.js';
import type { CodeSessions } from './sessions.js';

/**
 * What each session's work dir holds of its inputs (file id → its name there), so each input is copied once per
 * session: a thread's Files, or a container's files kept in line with the container.
 */
export class WorkDirInputs {
  readonly #placed = new Map<string, Map<string, string>>();

  constructor(
    private readonly sessions: CodeSessions,
    private readonly files: ProjectFiles,
    private readonly containerFiles: ContainerFiles,
  ) {}

  /** The session's work dir is new (or lost files): everything is placed again on the next call. */
  forget(sessionId: string): void {
    this.#placed.delete(sessionId);
  }

  /** Copies a thread's files into /mnt/data; notes for the logs about any that did not fit. */
  async placeFiles(threadId: string, project: string, fileIds: readonly string[]): Promise<string[]> {
    const done = this.#placedIn(threadId);
    const notes: string[] = [];
    for (const fileId of fileIds) {
      if (done.has(fileId)) continue;
      const file = await this.files.open(project, fileId);
      if (!file) continue;
      const note = await this.#place(threadId, file.filename, file.stream, (name) => done.set(fileId, name));
      if (note) notes.push(note);
    }
    return notes;
  }

  /**
   * Brings a container's /mnt/data in line with its files: files deleted through the API (or replaced) leave it,
   * files not yet there (uploads, copies, or all of them in a new session) are placed.
   */
  async syncContainer(containerId: string, project: string): Promise<string[]> {
    const done = this.#placedIn(containerId);
    const files = await this.containerFiles.list(project, containerId);
    const current = new Set(files.map((file) => file.id));
    for (const [fileId, name] of done) {
      if (current.has(fileId)) continue;
      await this.sessions.removeFile(containerId, name);
      done.delete(fileId);
    }
    const notes: string[] = [];
    for (const file of files) {
      if (done.has(file.id)) continue;
      const stream = await this.containerFiles.open(project, containerId, file.id);
      if (!stream) continue;
      const note = await this.#place(containerId, basename(file.path), stream, (name) => done.set(file.id, name));
      if (note) notes.push(note);
    }
    return notes;
  }

  /**
   * The code wrote `name` in the container's /mnt/data and it is kept as the container file `fileId`: it is there
   * already, and the file it replaced is gone from the record, not from the work dir (so it is not removed).
   */
  wrote(containerId: string, fileId: string, name: string): void {
    const done = this.#placedIn(containerId);
    for (const [placedId, placedName] of done) if (placedName === name) done.delete(placedId);
    done.set(fileId, name);
  }

  /** Writes one input into the work dir; a note for the logs when it did not fit the disk quota. */
  async #place(
    sessionId: string,
    filename: string,
    stream: Readable,
    placedAs: (name: string) => void,
  ): Promise<string | undefined> {
    try {
      placedAs((await this.sessions.writeInput(sessionId, filename, stream)).filename);
      return undefined;
    } catch (error) {
      if (!(error instanceof DiskQuotaError)) throw error;
      stream.destroy();
      return `[${error.message}.]`;
    }
  }

  #placedIn(sessionId: string): Map<string, string> {
    const done = this.#placed.get(sessionId) ?? new Map<string, string>();
    this.#placed.set(sessionId, done);
    return done;
  }
}

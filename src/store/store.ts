import type { Page, PageRequest } from '../api/pagination.js';
import type { Assistant, Message, OpenAIFile, Thread, Upload, UploadPart } from '../api/types.js';
import type { ContainerRepository } from './container-repository.js';
import type { FileSearchIndex } from './file-search-index.js';
import type { RunRepository } from './run-repository.js';
import type { VectorStoreRepository } from './vector-store-repository.js';

/**
 * The storage interface every dialect implements (SQLite now, PostgreSQL next). Grouped by
 * resource; every read and write is scoped to a project so tenants never see each other.
 * A method that writes several rows does so in one transaction.
 */
export interface Store {
  readonly assistants: AssistantRepository;
  readonly threads: ThreadRepository;
  readonly messages: MessageRepository;
  readonly files: FileRepository;
  readonly uploads: UploadRepository;
  readonly runs: RunRepository;
  readonly vectorStores: VectorStoreRepository;
  readonly fileSearch: FileSearchIndex;
  readonly containers: ContainerRepository;
  /** Messages between the processes sharing this store; undefined when only one process can use it (SQLite). */
  readonly signals: StoreSignals | undefined;
  /** Where threads' code_interpreter sessions live, when several workers share the store (undefined on SQLite). */
  readonly codeSessions: CodeSessionRepository | undefined;
  close(): Promise<void>;
}

/**
 * Which worker holds each thread's live code_interpreter session. Queued runs of a thread whose session another
 * worker holds (a record not yet run out) are left to that worker; records are renewed while sessions live.
 */
export interface CodeSessionRepository {
  /**
   * Records `owner` as the holder of the thread's session until `until` (unix ms). `replaced`: another worker
   * held it before — its session, and the variables in it, are gone.
   */
  hold(threadId: string, owner: string, until: number): Promise<{ replaced: boolean }>;
  renew(owner: string, threadIds: readonly string[], until: number): Promise<void>;
  /** The session ended on purpose (idle, thread deleted): the record goes. */
  release(threadId: string, owner: string): Promise<void>;
  /** The worker stops with its sessions: their records run out now but stay, so the next holder says so. */
  abandon(owner: string): Promise<void>;
}

/** The channels processes signal on, and what each payload is. */
export const SIGNAL = {
  /** A run's event log grew (payload: `runId origin`; sent by the store in the appending transaction). */
  runEvents: 'run_events',
  /** Runs were queued or requeued (payload: the sender's origin). */
  runsQueued: 'runs_queued',
  /** A run executing somewhere must stop: its status is `cancelling` (payload: run id). */
  runCancelled: 'run_cancelled',
  /** Vector store files wait for ingestion (payload: the sender's origin). */
  filesQueued: 'files_queued',
  /** A thread was deleted: its code_interpreter session closes wherever it lives (payload: thread id). */
  threadDeleted: 'thread_deleted',
  /** A container expired or was deleted: its code_interpreter session closes wherever it lives (payload: its id). */
  containerClosed: 'container_closed',
} as const;

/**
 * Fire-and-forget messages between the processes sharing a store (PostgreSQL LISTEN/NOTIFY): wake-ups and
 * requests whose durable state is already in the store, so a lost message only delays what the periodic
 * sweeps would find anyway.
 */
export interface StoreSignals {
  publish(channel: string, payload: string): Promise<void>;
  subscribe(channel: string, handler: (payload: string) => void): Promise<void>;
  /** `handler` runs after the listening connection was lost and is back: messages sent meanwhile are gone. */
  onReconnect(handler: () => void): void;
}

export interface AssistantRepository {
  insert(project: string, assistant: Assistant): Promise<void>;
  get(project: string, id: string): Promise<Assistant | undefined>;
  update(project: string, assistant: Assistant): Promise<void>;
  delete(project: string, id: string): Promise<boolean>;
  list(project: string, page: PageRequest): Promise<Page<Assistant>>;
}

export interface ThreadRepository {
  /** Inserts the thread and its initial messages atomically. */
  insert(project: string, thread: Thread, messages: readonly Message[]): Promise<void>;
  get(project: string, id: string): Promise<Thread | undefined>;
  update(project: string, thread: Thread): Promise<void>;
  /** Deletes the thread with all its messages. */
  delete(project: string, id: string): Promise<boolean>;
}

export interface MessageFilter {
  runId?: string;
}

/** A thread message as a run's context sees it: with its token count for one encoding, once counted. */
export interface ContextMessage {
  message: Message;
  /** Undefined until counted for this encoding (stored with the run's next write: `RunChanges.tokenCounts`). */
  tokens: number | undefined;
  /** Where to continue reading older messages (`ContextQuery.beforeSeq`). */
  seq: number;
}

export interface ContextQuery {
  /** The run whose own messages are left out (they are replayed from its steps). */
  excludeRunId: string;
  encoding: string;
  /** Only messages older than this position; undefined: from the newest. */
  beforeSeq?: number;
  limit: number;
}

export interface MessageRepository {
  insert(project: string, message: Message): Promise<void>;
  get(project: string, threadId: string, id: string): Promise<Message | undefined>;
  update(project: string, message: Message): Promise<void>;
  delete(project: string, threadId: string, id: string): Promise<boolean>;
  list(project: string, threadId: string, page: PageRequest, filter?: MessageFilter): Promise<Page<Message>>;
  count(project: string, threadId: string): Promise<number>;
  /** Files the thread's messages attach for code_interpreter. */
  codeInterpreterAttachments(project: string, threadId: string): Promise<string[]>;
  /** The thread's messages newest first, for building a run's context page by page. */
  newestForContext(project: string, threadId: string, query: ContextQuery): Promise<ContextMessage[]>;
}

/** A file's metadata plus where its bytes live and their media type (for downloads). */
export interface StoredFile {
  file: OpenAIFile;
  blobKey: string;
  contentType: string;
}

export interface FileFilter {
  purpose?: string;
}

export interface FileRepository {
  insert(project: string, stored: StoredFile): Promise<void>;
  get(project: string, id: string): Promise<StoredFile | undefined>;
  /** Which of these ids exist in the project. */
  existing(project: string, ids: readonly string[]): Promise<Set<string>>;
  /** The names of those of these files that the project holds, by id (as `get` finds them). */
  filenames(project: string, ids: readonly string[]): Promise<Map<string, string>>;
  delete(project: string, id: string): Promise<boolean>;
  list(project: string, page: PageRequest, filter?: FileFilter): Promise<Page<OpenAIFile>>;
  /** Bytes of the project's files that clients can still see (not past `expires_at`): the storage quota's count. */
  totalBytes(project: string): Promise<number>;
  /** `totalBytes` of every project holding files (for the storage metric). */
  bytesByProject(): Promise<Map<string, number>>;
}

export interface StoredUploadPart {
  part: UploadPart;
  blobKey: string;
  bytes: number;
}

export interface StoredUpload {
  upload: Upload;
  mimeType: string;
  /** `expires_after.seconds` from the request, applied to the File the upload becomes. */
  fileExpiresAfterSeconds?: number | undefined;
}

export interface UploadRepository {
  insert(project: string, stored: StoredUpload): Promise<void>;
  get(project: string, id: string): Promise<StoredUpload | undefined>;
  /** Records a part; false (and nothing recorded) when the upload is no longer pending. */
  insertPart(project: string, part: StoredUploadPart): Promise<boolean>;
  parts(project: string, uploadId: string): Promise<StoredUploadPart[]>;
  /**
   * Moves a pending upload to `stored.upload.status` (completed, recording `file`; cancelled; expired)
   * and drops its parts, in one transaction. Returns the dropped parts' blob keys for the caller to
   * delete, or `undefined` (and changes nothing) when the upload was no longer pending.
   */
  finish(project: string, stored: StoredUpload, file?: StoredFile): Promise<string[] | undefined>;
}

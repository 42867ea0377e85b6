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

/**
 * A Responses/Conversations item that is not an Assistants message (function_call, function_call_output,
 * file_search_call, code_interpreter_call, reasoning, system/developer messages): the item exactly as the API
 * shows it.
 */
export interface ConversationItem {
  id: string;
  type: string;
  [key: string]: unknown;
}

/**
 * One row of a thread, which is also a conversation: an Assistants message (which the Assistants API sees), or any
 * other conversation item (which only the Conversations and Responses APIs see). Both share the thread's order.
 */
export type ThreadRow = { kind: 'message'; message: Message } | { kind: 'item'; item: ConversationItem };

export interface NewThreadRow {
  row: ThreadRow;
  /** The run (response) that wrote the row as its output. */
  runId?: string | null;
  /** The response whose `input` the row was. */
  inputOf?: string | null;
}

export interface StoredThreadRow {
  row: ThreadRow;
  seq: number;
  runId: string | null;
  inputOf: string | null;
}

export interface RowFilter {
  /** Only the rows that were this response's input. */
  inputOf?: string;
}

/** A thread row as a run's context sees it: with its token count for one encoding, once counted. */
export interface ContextRow {
  row: ThreadRow;
  /** Undefined until counted for this encoding (stored with the run's next write: `RunChanges.tokenCounts`). */
  tokens: number | undefined;
  /** Where to continue reading older rows (`ContextQuery.beforeSeq`). */
  seq: number;
}

export interface ContextQuery {
  /** The run whose own rows are left out (they are replayed from its steps). */
  excludeRunId: string;
  encoding: string;
  /** Only rows older than this position; undefined: from the newest. */
  beforeSeq?: number;
  /** Only rows at or before this position (a previous response's part of a thread that went on after it). */
  throughSeq?: number;
  /** Assistants runs read messages only; responses read every row. */
  rows: 'messages' | 'all';
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
  /** The thread's rows newest first, for building a run's context page by page. */
  newestForContext(project: string, threadId: string, query: ContextQuery): Promise<ContextRow[]>;

  /** Appends rows (messages and other items) to the thread in one transaction; ThreadBusyError if a run is active. */
  insertRows(project: string, threadId: string, rows: readonly NewThreadRow[]): Promise<void>;
  /** The thread's rows of every kind, a cursor page (ids of either kind are cursors). */
  listRows(project: string, threadId: string, page: PageRequest, filter?: RowFilter): Promise<Page<StoredThreadRow>>;
  getRow(project: string, threadId: string, id: string): Promise<StoredThreadRow | undefined>;
  /** A row of any of the project's threads, by id (what an `item_reference` names). */
  findRow(project: string, id: string): Promise<StoredThreadRow | undefined>;
  deleteRow(project: string, threadId: string, id: string): Promise<boolean>;
  /** The position of the newest row a response wrote or took as input in the thread (0 when none). */
  lastSeqOf(project: string, threadId: string, responseId: string): Promise<number>;
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

import type { Page, PageRequest } from '../api/pagination.js';
import type { ResponseSettings } from '../api/response-settings.js';
import type { Message, Run, RunStep, Thread, ToolResources } from '../api/types.js';
import type { ConversationItem, NewThreadRow } from './store.js';

/** Run settings that are not part of the API object but steer its execution. */
export interface RunState {
  /** `include[]` of the create request (file_search result content in steps). */
  include: string[];
  reasoningEffort: string | null;
  /** How many model calls the run has made (capped to stop endless tool loops). */
  modelCalls: number;
  /** Tokens used so far across the run's model calls (the budgets span the whole run). */
  usedTokens: { prompt: number; completion: number };
  /** The `tool_calls` step waiting for tool outputs while the run `requires_action`. */
  pendingStep?: RunStep;
  /** Figures (image file ids) code_interpreter drew, shown once the tool step that drew them has ended. */
  pendingFigures?: string[];
  /** `createThreadAndRun`'s `tool_resources`, which override the assistant's for this run. */
  toolResources?: ToolResources | null;
  /** Set when the run is a response (Responses API): what it echoes and how it ties to its thread. */
  response?: ResponseSettings;
}

export interface StoredRun {
  project: string;
  run: Run;
  state: RunState;
}

/** A run as stored inside the writing transaction, with the stored status of any of its steps and messages. */
export interface RunSnapshot extends StoredRun {
  /** Undefined when the step is not stored yet. */
  stepStatus(stepId: string): RunStep['status'] | undefined;
  /** Undefined when the message is not stored yet. */
  messageStatus(messageId: string): Message['status'] | undefined;
}

/** One entry of a run's append-only event log: exactly what a stream sends. */
export interface RunEventRecord {
  /** Increasing across all runs; used as the SSE event id (`Last-Event-ID`). */
  seq: number;
  runId: string;
  event: string;
  data: unknown;
}

export interface NewRunEvent {
  event: string;
  data: unknown;
}

/**
 * What one state change writes. Rows are replaced whole (or inserted); the events are appended
 * to the run's log in the same transaction.
 */
export interface RunChanges {
  run?: Run;
  state?: RunState;
  steps?: RunStep[];
  messages?: Message[];
  /** Conversation items the run (a response) wrote on its thread: its tool calls, as later responses read them. */
  items?: ConversationItem[];
  events: NewRunEvent[];
  /**
   * Token counts of thread messages made while the run built its context, kept with those messages so no later
   * run counts them again. They ride on the run's next write instead of costing a transaction of their own.
   */
  tokenCounts?: TokenCounts;
}

export interface TokenCounts {
  encoding: string;
  counts: ReadonlyArray<{ id: string; tokens: number }>;
}

/** What starting a claimed run writes: the run row (queued → in_progress) and its events, nothing else. */
export interface RunStart {
  run: Run;
  state?: RunState;
  events: NewRunEvent[];
}

/** A run claimed and started in one transaction. */
export interface ClaimedRun {
  /** The run as written by the start. */
  stored: StoredRun;
  /** The events the start appended, in order. */
  records: RunEventRecord[];
}

export interface NewRunRecord {
  project: string;
  /** Set when the run comes with a new thread (`createThreadAndRun`). */
  thread?: Thread;
  /** Messages added to the thread first (initial thread messages, `additional_messages`). */
  messages: Message[];
  /** Rows of any kind added to the thread first (a response's input items). */
  rows?: readonly NewThreadRow[];
  run: Run;
  state: RunState;
  events: NewRunEvent[];
}

/** The thread already has a run in one of the active statuses. */
export class ThreadBusyError extends Error {
  constructor(
    readonly threadId: string,
    readonly runId: string,
  ) {
    super(`thread ${threadId} has the active run ${runId}`);
  }
}

export interface RunRepository {
  /** Inserts a queued run (with its thread and messages) atomically; ThreadBusyError if the thread is busy. */
  create(record: NewRunRecord): Promise<RunEventRecord[]>;
  get(project: string, threadId: string, runId: string): Promise<StoredRun | undefined>;
  /** For workers, which serve every project. */
  getById(runId: string): Promise<StoredRun | undefined>;
  list(project: string, threadId: string, page: PageRequest): Promise<Page<Run>>;
  /** Deletes the run with its steps and event log (a deleted response); the thread and its rows stay. */
  delete(project: string, runId: string): Promise<boolean>;
  /**
   * Writes one change of a run in one transaction (only `RunWriter` calls it). `change` sees the run as
   * stored now, inside the transaction, and returns what to write, or undefined to write nothing; what it
   * throws aborts the transaction. Returns the appended events.
   */
  commit(runId: string, change: (current: RunSnapshot) => RunChanges | undefined): Promise<RunEventRecord[]>;
  /**
   * Appends events without touching the run's rows, only while the run has `status`; undefined (and
   * nothing written) otherwise. The cheap path for streamed deltas.
   */
  appendEvents(
    runId: string,
    events: readonly NewRunEvent[],
    status: Run['status'],
  ): Promise<RunEventRecord[] | undefined>;
  /** Log entries after `afterSeq`, oldest first. */
  events(runId: string, afterSeq: number, limit: number): Promise<RunEventRecord[]>;
  /** The newest log entry's seq, or 0. */
  lastEventSeq(runId: string): Promise<number>;

  getStep(project: string, threadId: string, runId: string, stepId: string): Promise<RunStep | undefined>;
  listSteps(project: string, threadId: string, runId: string, page: PageRequest): Promise<Page<RunStep>>;

  /**
   * Takes the oldest queued run nobody holds (no lease, or another owner's lease that ran out before
   * `now`) for `owner` until `leaseUntil` (unix ms) and, in the same transaction, writes `start(run)`
   * (only `RunWriter` calls it; what `start` throws aborts the claim). Undefined when no run waits.
   */
  claimQueued(
    owner: string,
    leaseUntil: number,
    now: number,
    start: (current: StoredRun) => RunStart,
  ): Promise<ClaimedRun | undefined>;
  renewLeases(owner: string, runIds: readonly string[], leaseUntil: number): Promise<void>;
  releaseLease(runId: string, owner: string): Promise<void>;
  /** Of these runs, those whose status is `cancelling`: a cancel asked for elsewhere that this worker must act on. */
  cancelling(runIds: readonly string[]): Promise<string[]>;
  /** Runs executing (`in_progress`/`cancelling`) whose lease ran out: their worker died. */
  orphaned(now: number): Promise<StoredRun[]>;
  /** Runs waiting (`queued`/`requires_action`) past their `expires_at` (unix seconds). */
  expired(nowSeconds: number): Promise<StoredRun[]>;
  /** How many runs of all projects are in each status (for metrics); statuses without runs are left out. */
  countByStatus(): Promise<Partial<Record<Run['status'], number>>>;
}

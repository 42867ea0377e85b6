import type { RunStep } from '../api/types.js';
import type {
  NewRunEvent,
  NewRunRecord,
  RunChanges,
  RunEventRecord,
  RunRepository,
  RunSnapshot,
  RunStart,
  StoredRun,
} from '../store/run-repository.js';
import { presentStep } from './present-step.js';
import type { RunEventBus } from './run-event-bus.js';
import { assertTransition, NEW } from './run-status.js';

/** What a commit found and left behind. */
export interface CommitResult {
  /** The run after the commit (as found when nothing was written); undefined when there is no such run. */
  stored: StoredRun | undefined;
  /** The events appended, in order (empty when nothing was written). */
  records: RunEventRecord[];
}

/**
 * The one path through which a run, its steps and its messages change. Each change is checked against the
 * transition tables of `run-status.ts` (an illegal one throws `IllegalTransitionError` and writes nothing),
 * its rows and stream events are committed in one transaction, and the streams following the run are told.
 */
export class RunWriter {
  readonly #runs: RunRepository;
  readonly #bus: RunEventBus;

  constructor(runs: RunRepository, bus: RunEventBus) {
    this.#runs = runs;
    this.#bus = bus;
  }

  /** Stores a new run (with its new thread and messages, if any) and its first events. */
  async create(record: NewRunRecord): Promise<RunEventRecord[]> {
    assertTransition('run', record.run.id, NEW, record.run.status);
    const records = await this.#runs.create(record);
    this.#bus.notify(record.run.id, records);
    return records;
  }

  /**
   * `change` sees the run as stored now (inside the transaction) and returns what to write, or undefined
   * to write nothing.
   */
  async commit(runId: string, change: (current: StoredRun) => RunChanges | undefined): Promise<CommitResult> {
    let stored: StoredRun | undefined;
    const records = await this.#runs.commit(runId, (current) => {
      const changes = change(current);
      stored = { project: current.project, run: changes?.run ?? current.run, state: changes?.state ?? current.state };
      if (!changes) return undefined;
      checkTransitions(current, changes);
      return { ...changes, events: changes.events.map((entry) => presentEvent(entry, stored!.state.include)) };
    });
    if (records.length > 0) this.#bus.notify(runId, records);
    return { stored, records };
  }

  /**
   * Claims the oldest queued run for `owner` (a lease until `leaseUntil`, unix ms) and starts it in the same
   * transaction: `start` sees the run as claimed and returns its move out of `queued` with the events to append.
   * Undefined when no run waits.
   */
  async claim(
    owner: string,
    leaseUntil: number,
    now: number,
    start: (current: StoredRun) => RunStart,
  ): Promise<StoredRun | undefined> {
    const claimed = await this.#runs.claimQueued(owner, leaseUntil, now, (current) => {
      const started = start(current);
      assertTransition('run', current.run.id, current.run.status, started.run.status);
      const include = (started.state ?? current.state).include;
      return { ...started, events: started.events.map((entry) => presentEvent(entry, include)) };
    });
    if (claimed && claimed.records.length > 0) this.#bus.notify(claimed.stored.run.id, claimed.records);
    return claimed?.stored;
  }

  /**
   * Appends stream-only events (deltas) without rewriting any row, the cheap path for every token, but only
   * while the run has `status`: undefined (and nothing written) otherwise.
   */
  async append(runId: string, events: readonly NewRunEvent[], status: StoredRun['run']['status']) {
    const records = await this.#runs.appendEvents(runId, events, status);
    if (records) this.#bus.notify(runId, records);
    return records;
  }
}

function checkTransitions(current: RunSnapshot, changes: RunChanges): void {
  if (changes.run) assertTransition('run', current.run.id, current.run.status, changes.run.status);
  for (const step of changes.steps ?? []) {
    assertTransition('step', step.id, current.stepStatus(step.id) ?? NEW, step.status);
  }
  for (const message of changes.messages ?? []) {
    assertTransition('message', message.id, current.messageStatus(message.id) ?? NEW, message.status);
  }
}

/** Step events carry file_search result content only when the run was created with that `include[]`. */
function presentEvent(entry: NewRunEvent, include: readonly string[]): NewRunEvent {
  const data = entry.data as { object?: string } | undefined;
  if (data?.object !== 'thread.run.step') return entry;
  return { ...entry, data: presentStep(entry.data as RunStep, include) };
}

import type { Message, Run, RunStep } from '../api/types.js';
import { nowSeconds } from '../ids.js';
import type { NewRunEvent, RunChanges, RunRepository, RunState, StoredRun } from '../store/run-repository.js';
import type { RunEventBus } from './run-event-bus.js';
import { runStatusEvent, messageEvent, stepEvent } from './run-events.js';
import { endStep, incompleteMessage, toUsage } from './run-objects.js';
import { RunInterrupted, toLastError, type RunLastError } from './run-failure.js';
import { emptyAnnotationSources, type AnnotationSources } from './message-annotations.js';
import { presentStep } from './present-step.js';

export type TerminalOutcome =
  | { status: 'completed' }
  | { status: 'incomplete'; reason: 'max_completion_tokens' | 'max_prompt_tokens' }
  | { status: 'failed'; error: RunLastError }
  | { status: 'cancelled' }
  | { status: 'expired' };

/**
 * The worker's handle on one executing run: the latest stored run and state, the step and message
 * currently open, and the one way to write (`write`), which refuses — by throwing RunInterrupted — once
 * someone else (a cancel request) has moved the run out of `in_progress`.
 */
export class RunExecution {
  run: Run;
  state: RunState;
  readonly project: string;
  /** The message being streamed, with its text so far. */
  openMessage: { message: Message; step: RunStep; text: string } | undefined;
  /** The tool-call step being streamed. */
  openToolStep: RunStep | undefined;
  /** What the run's answer may cite or link (search results, files the code wrote). */
  readonly annotationSources: AnnotationSources = emptyAnnotationSources();

  constructor(
    private readonly runs: RunRepository,
    private readonly bus: RunEventBus,
    stored: StoredRun,
  ) {
    this.run = stored.run;
    this.state = stored.state;
    this.project = stored.project;
  }

  get id(): string {
    return this.run.id;
  }

  /** queued → in_progress. False when the run is no longer queued (cancelled or expired meanwhile). */
  async start(): Promise<boolean> {
    let started = false;
    await this.#commit((current) => {
      if (current.run.status !== 'queued') return undefined;
      started = true;
      const run: Run = { ...current.run, status: 'in_progress', started_at: current.run.started_at ?? nowSeconds(), expires_at: current.run.expires_at };
      return { run, events: [runStatusEvent(run)] };
    });
    return started;
  }

  /** Writes a change while the run is `in_progress`; throws RunInterrupted if it no longer is. */
  async write(build: (run: Run, state: RunState) => Omit<RunChanges, 'events'> & Partial<Pick<RunChanges, 'events'>>): Promise<void> {
    let interrupted: Run['status'] | undefined;
    await this.#commit((current) => {
      if (current.run.status !== 'in_progress') {
        interrupted = current.run.status;
        return undefined;
      }
      const changes = build(current.run, current.state);
      return { ...changes, events: changes.events ?? [] };
    });
    if (interrupted !== undefined) throw new RunInterrupted(interrupted);
  }

  /**
   * Appends stream-only events (deltas) while the run is `in_progress`, without rewriting any row:
   * the cheap path for every token. Throws RunInterrupted if the run is no longer in progress.
   */
  async append(events: NewRunEvent[]): Promise<void> {
    const shown = events.map((entry) => presentEvent(entry, this.state.include));
    const records = await this.runs.appendEvents(this.run.id, shown, 'in_progress');
    if (records === undefined) {
      const current = await this.runs.getById(this.run.id);
      throw new RunInterrupted(current?.run.status ?? 'cancelled');
    }
    this.bus.notify(this.run.id, records);
  }

  /** in_progress → requires_action, waiting for the outputs of `step`'s function calls. */
  async requireAction(step: RunStep, expiresAfterSeconds: number): Promise<void> {
    const details = step.step_details;
    const calls = details.type === 'tool_calls' ? details.tool_calls.filter((call) => call.type === 'function') : [];
    await this.write((run, state) => {
      const waiting: Run = {
        ...run,
        status: 'requires_action',
        expires_at: nowSeconds() + expiresAfterSeconds,
        usage: toUsage(state.usedTokens),
        required_action: {
          type: 'submit_tool_outputs',
          submit_tool_outputs: {
            tool_calls: calls.map((call) => ({
              id: call.id,
              type: 'function' as const,
              function: { name: call.type === 'function' ? call.function.name : '', arguments: call.type === 'function' ? call.function.arguments : '' },
            })),
          },
        },
      };
      return { run: waiting, state: { ...state, pendingStep: step }, events: [runStatusEvent(waiting)] };
    });
  }

  /**
   * Ends the run. Whatever step or message is still open ends with it (failed/cancelled steps,
   * incomplete messages). From `cancelling` only `cancelled` is written; a terminal run is left alone.
   */
  async finish(outcome: TerminalOutcome): Promise<void> {
    await this.#commit((current) => {
      const status = current.run.status;
      if (status !== 'in_progress' && status !== 'cancelling' && status !== 'queued') return undefined;
      const final = status === 'cancelling' ? ({ status: 'cancelled' } as const) : outcome;
      return this.#finishChanges(current, final);
    });
  }

  #finishChanges(current: StoredRun, outcome: TerminalOutcome): RunChanges {
    const now = nowSeconds();
    const run: Run = {
      ...current.run,
      status: outcome.status,
      expires_at: null,
      required_action: null,
      usage: toUsage(current.state.usedTokens),
      completed_at: outcome.status === 'completed' ? now : current.run.completed_at,
      failed_at: outcome.status === 'failed' ? now : current.run.failed_at,
      cancelled_at: outcome.status === 'cancelled' ? now : current.run.cancelled_at,
      last_error: outcome.status === 'failed' ? outcome.error : current.run.last_error,
      incomplete_details: outcome.status === 'incomplete' ? { reason: outcome.reason } : current.run.incomplete_details,
    };
    const changes: RunChanges = { run, steps: [], messages: [], events: [] };
    const stepEnding = outcome.status === 'failed' ? 'failed' : outcome.status === 'cancelled' ? 'cancelled' : outcome.status === 'expired' ? 'expired' : 'completed';
    const stepError = outcome.status === 'failed' ? { code: outcome.error.code === 'rate_limit_exceeded' ? 'rate_limit_exceeded' as const : 'server_error' as const, message: outcome.error.message } : null;
    if (this.openMessage) {
      const reason = outcome.status === 'cancelled' ? 'run_cancelled' : outcome.status === 'expired' ? 'run_expired' : outcome.status === 'failed' ? 'run_failed' : 'max_tokens';
      const message = incompleteMessage(this.openMessage.message, this.openMessage.text, reason);
      const step = endStep(this.openMessage.step, stepEnding === 'completed' ? 'completed' : stepEnding, stepError);
      changes.messages!.push(message);
      changes.steps!.push(step);
      changes.events.push(messageEvent(message, 'incomplete'), stepEvent(step, step.status as 'completed'));
      this.openMessage = undefined;
    }
    if (this.openToolStep) {
      const step = endStep(this.openToolStep, stepEnding === 'completed' ? 'failed' : stepEnding, stepError);
      changes.steps!.push(step);
      changes.events.push(stepEvent(step, step.status as 'failed'));
      this.openToolStep = undefined;
    }
    if (current.state.pendingStep) {
      const step = endStep(current.state.pendingStep, stepEnding === 'completed' ? 'failed' : stepEnding, stepError);
      changes.steps!.push(step);
      changes.events.push(stepEvent(step, step.status as 'failed'));
      const { pendingStep: _ended, ...state } = current.state;
      changes.state = state;
    }
    changes.events.push(runStatusEvent(run));
    return changes;
  }

  /** The error a failed run records. */
  static lastErrorOf(error: unknown): RunLastError {
    return toLastError(error);
  }

  async #commit(change: (current: StoredRun) => RunChanges | undefined): Promise<void> {
    let seen: StoredRun | undefined;
    let written: RunChanges | undefined;
    const events = await this.runs.commit(this.run.id, (current) => {
      seen = current;
      written = change(current);
      return written && { ...written, events: written.events.map((entry) => presentEvent(entry, (written!.state ?? current.state).include)) };
    });
    if (seen) {
      this.run = written?.run ?? seen.run;
      this.state = written?.state ?? seen.state;
    }
    if (events.length > 0) this.bus.notify(this.run.id, events);
  }
}

/** Step events carry file_search result content only when the run was created with that `include[]`. */
function presentEvent(entry: NewRunEvent, include: readonly string[]): NewRunEvent {
  const data = entry.data as { object?: string } | undefined;
  if (data?.object !== 'thread.run.step') return entry;
  return { ...entry, data: presentStep(entry.data as RunStep, include) };
}

import type { Message, Run, RunStep } from '../api/types.js';
import { nowSeconds } from '../ids.js';
import type { NewRunEvent, RunChanges, RunStart, RunState, StoredRun, TokenCounts } from '../store/run-repository.js';
import { type AnnotationSources, emptyAnnotationSources } from './message-annotations.js';
import { messageEvent, messageImagesDeltaEvent, runStatusEvent, stepEvent } from './run-events.js';
import { RunInterrupted, type RunLastError } from './run-failure.js';
import { endStep, incompleteMessage, toUsage } from './run-objects.js';
import type { RunWriter } from './run-writer.js';
import type { StreamedAnnotations } from './streamed-annotations.js';

export interface OpenMessage {
  message: Message;
  step: RunStep;
  text: string;
  /** Figures drawn earlier in the run: `image_file` parts 0.., so the text is part `figures.length`. */
  figures: string[];
  annotations: StreamedAnnotations;
}

export type TerminalOutcome =
  | { status: 'completed' }
  | { status: 'incomplete'; reason: 'max_completion_tokens' | 'max_prompt_tokens' }
  | { status: 'failed'; error: RunLastError }
  | { status: 'cancelled' }
  | { status: 'expired' };

/**
 * A claimed run's start, written in the claim's transaction (`RunWriter.claim`): queued → in_progress, and the model
 * call that follows counted already, so nothing else is written before the model is called.
 */
export function startRun(current: StoredRun): RunStart {
  const run: Run = { ...current.run, status: 'in_progress', started_at: current.run.started_at ?? nowSeconds() };
  return {
    run,
    state: { ...current.state, modelCalls: current.state.modelCalls + 1 },
    events: [runStatusEvent(run)],
  };
}

/**
 * The worker's handle on one executing run: the latest stored run and state, the step and message
 * currently open, and the one way to write (`write`), which refuses — by throwing RunInterrupted — once
 * someone else (a cancel request) has moved the run out of `in_progress`.
 */
export class RunExecution {
  run: Run;
  state: RunState;
  readonly project: string;
  /** The message being streamed: its text so far, the figures it shows before the text, its annotations. */
  openMessage: OpenMessage | undefined;
  /** The tool-call step being streamed. */
  openToolStep: RunStep | undefined;
  /** What the run's answer may cite or link (search results, files the code wrote). */
  readonly annotationSources: AnnotationSources = emptyAnnotationSources();
  #tokenCounts: TokenCounts | undefined;

  constructor(
    private readonly writer: RunWriter,
    stored: StoredRun,
  ) {
    this.run = stored.run;
    this.state = stored.state;
    this.project = stored.project;
  }

  get id(): string {
    return this.run.id;
  }

  /**
   * Thread messages' token counts made while building the context, written with the run's next change (so counting
   * costs no transaction of its own on the way to the model call).
   */
  keepTokenCounts(counts: TokenCounts): void {
    if (counts.counts.length === 0) return;
    const pending = this.#tokenCounts;
    this.#tokenCounts =
      pending && pending.encoding === counts.encoding
        ? { encoding: counts.encoding, counts: [...pending.counts, ...counts.counts] }
        : counts;
  }

  /** Writes a change while the run is `in_progress`; throws RunInterrupted if it no longer is. */
  async write(
    build: (run: Run, state: RunState) => Omit<RunChanges, 'events'> & Partial<Pick<RunChanges, 'events'>>,
  ): Promise<void> {
    let interrupted: Run['status'] | 'deleted' = 'deleted';
    await this.#commit((current) => {
      if (current.run.status !== 'in_progress') {
        interrupted = current.run.status;
        return undefined;
      }
      interrupted = current.run.status;
      const changes = build(current.run, current.state);
      return { ...changes, events: changes.events ?? [] };
    });
    // A run deleted under its worker (a response deleted while it ran) stops as a cancelled one does.
    if (interrupted === 'deleted') throw new RunInterrupted();
    if (interrupted !== 'in_progress') throw new RunInterrupted(interrupted);
  }

  /**
   * Appends stream-only events (deltas) while the run is `in_progress`, without rewriting any row:
   * the cheap path for every token. Throws RunInterrupted if the run is no longer in progress.
   */
  async append(events: NewRunEvent[]): Promise<void> {
    const records = await this.writer.append(this.run.id, events, 'in_progress');
    if (records === undefined) throw new RunInterrupted();
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
              function: {
                name: call.type === 'function' ? call.function.name : '',
                arguments: call.type === 'function' ? call.function.arguments : '',
              },
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
    const stepEnding =
      outcome.status === 'failed'
        ? 'failed'
        : outcome.status === 'cancelled'
          ? 'cancelled'
          : outcome.status === 'expired'
            ? 'expired'
            : 'completed';
    const stepError =
      outcome.status === 'failed'
        ? {
            code:
              outcome.error.code === 'rate_limit_exceeded'
                ? ('rate_limit_exceeded' as const)
                : ('server_error' as const),
            message: outcome.error.message,
          }
        : null;
    if (this.openMessage) {
      const reason =
        outcome.status === 'cancelled'
          ? 'run_cancelled'
          : outcome.status === 'expired'
            ? 'run_expired'
            : outcome.status === 'failed'
              ? 'run_failed'
              : 'max_tokens';
      const { message: open, text, figures } = this.openMessage;
      const message = incompleteMessage(open, text, reason, figures);
      const step = endStep(this.openMessage.step, stepEnding === 'completed' ? 'completed' : stepEnding, stepError);
      changes.messages!.push(message);
      changes.steps!.push(step);
      if (figures.length > 0) changes.events.push(messageImagesDeltaEvent(message.id, figures));
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

  async #commit(change: (current: StoredRun) => RunChanges | undefined): Promise<void> {
    const tokenCounts = this.#tokenCounts;
    let written = false;
    const { stored } = await this.writer.commit(this.run.id, (current) => {
      const changes = change(current);
      written = changes !== undefined;
      return changes && tokenCounts ? { ...changes, tokenCounts } : changes;
    });
    if (written && this.#tokenCounts === tokenCounts) this.#tokenCounts = undefined;
    if (stored) {
      this.run = stored.run;
      this.state = stored.state;
    }
  }
}

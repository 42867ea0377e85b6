import type { PageRequest } from '../api/pagination.js';
import type {
  CreateRunRequest,
  CreateThreadAndRunRequest,
  Message,
  ModifyRunRequest,
  Run,
  RunStep,
  SubmitToolOutputsRequest,
  Thread,
} from '../api/types.js';
import { errors, runErrors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import { buildRun, type RunOverrides } from '../runs/build-run.js';
import { runCreatedEvent, runStatusEvent, stepEvent } from '../runs/run-events.js';
import { endStep } from '../runs/run-objects.js';
import { presentStep } from '../runs/present-step.js';
import type { RunEventBus } from '../runs/run-event-bus.js';
import { isTerminal } from '../runs/run-status.js';
import { ThreadBusyError, type NewRunEvent, type RunChanges, type RunState, type StoredRun } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import type { AssistantService } from './assistants.js';
import { buildMessage } from './message-content.js';
import { requireMessageFiles } from './messages.js';
import { resolveMetadata } from './metadata.js';
import type { ThreadAttachments } from './thread-attachments.js';
import { isExpired } from './vector-store-views.js';
import type { ThreadService } from './threads.js';
import type { ToolResourceResolver, ToolResourcesInput } from './tool-resources.js';

/** What the HTTP layer needs from the run engine: a nudge when work arrives, and cancellation. */
export interface RunScheduler {
  wake(): void;
  cancel(runId: string): void;
}

/** A run as the API returns it, and where in its event log the caller's stream should start. */
export interface RunStart {
  run: Run;
  /** Stream events with a seq greater than this. */
  afterSeq: number;
}

export interface RunServiceOptions {
  /** Seconds a run may wait in `queued`/`requires_action` before it expires (OpenAI: 10 minutes). */
  expiresAfterSeconds: number;
}

export class RunService {
  /** The run event log, for streams. */
  get events() {
    return this.store.runs;
  }

  constructor(
    private readonly store: Store,
    private readonly assistants: AssistantService,
    private readonly threads: ThreadService,
    private readonly scheduler: RunScheduler,
    private readonly bus: RunEventBus,
    private readonly options: RunServiceOptions,
    private readonly related: { toolResources: ToolResourceResolver; attachments: ThreadAttachments },
  ) {}

  async create(project: string, threadId: string, request: CreateRunRequest, include: string[]): Promise<RunStart> {
    const thread = await this.threads.get(project, threadId);
    const assistant = await this.assistants.get(project, request.assistant_id);
    const messages = await this.#additionalMessages(project, threadId, request.additional_messages ?? []);
    const run = this.#buildRun(assistant, threadId, request);
    const attached = await this.related.attachments.attach(project, thread, request.additional_messages ?? []);
    if (attached !== thread) await this.store.threads.update(project, attached);
    await this.#requireLiveVectorStores(project, run, [assistant.tool_resources, attached.tool_resources]);
    const events = [runCreatedEvent(run), runStatusEvent(run)];
    return this.#insert({ project, messages, run, state: initialState(include, request.reasoning_effort), events });
  }

  async createThreadAndRun(project: string, request: CreateThreadAndRunRequest): Promise<RunStart> {
    const assistant = await this.assistants.get(project, request.assistant_id);
    const { thread, messages } = await this.threads.prepare(project, request.thread ?? {});
    const run = this.#buildRun(assistant, thread.id, request);
    const events: NewRunEvent[] = [{ event: 'thread.created', data: thread }, runCreatedEvent(run), runStatusEvent(run)];
    const state = initialState([], null);
    if (request.tool_resources) {
      state.toolResources = await this.related.toolResources.resolve(project, request.tool_resources as ToolResourcesInput);
    }
    await this.#requireLiveVectorStores(project, run, [assistant.tool_resources, state.toolResources ?? thread.tool_resources]);
    return this.#insert({ project, thread, messages, run, state, events });
  }

  async get(project: string, threadId: string, runId: string): Promise<Run> {
    return (await this.#stored(project, threadId, runId)).run;
  }

  async list(project: string, threadId: string, page: PageRequest) {
    await this.threads.get(project, threadId);
    return this.store.runs.list(project, threadId, page);
  }

  async modify(project: string, threadId: string, runId: string, request: ModifyRunRequest): Promise<Run> {
    await this.#stored(project, threadId, runId);
    let updated: Run | undefined;
    await this.store.runs.commit(runId, (current) => {
      updated = { ...current.run, metadata: resolveMetadata(request.metadata, current.run.metadata ?? {}) };
      return { run: updated, events: [] };
    });
    return updated!;
  }

  /**
   * Moves the run to `cancelling`; a run nobody is executing (queued, waiting for tool outputs)
   * is `cancelled` at once, one being executed is stopped by its worker (which aborts the upstream call).
   */
  async cancel(project: string, threadId: string, runId: string): Promise<Run> {
    const stored = await this.#stored(project, threadId, runId);
    if (isTerminal(stored.run.status) || stored.run.status === 'cancelling') throw runErrors.cannotCancel(stored.run.status);
    let result: Run = stored.run;
    let rejectedStatus: string | undefined;
    const events = await this.store.runs.commit(runId, (current) => {
      const { status } = current.run;
      if (isTerminal(status) || status === 'cancelling') {
        rejectedStatus = status;
        return undefined;
      }
      const cancelling: Run = { ...current.run, status: 'cancelling' };
      result = cancelling;
      if (status === 'in_progress') return { run: cancelling, events: [runStatusEvent(cancelling)] };
      return cancelWaitingRun(current, cancelling);
    });
    if (rejectedStatus !== undefined) throw runErrors.cannotCancel(rejectedStatus);
    this.bus.notify(runId, events);
    this.scheduler.cancel(runId);
    return result;
  }

  async submitToolOutputs(project: string, threadId: string, runId: string, request: SubmitToolOutputsRequest): Promise<RunStart> {
    const stored = await this.#stored(project, threadId, runId);
    const afterSeq = await this.store.runs.lastEventSeq(runId);
    let failure: Error | undefined;
    let queued: Run | undefined;
    const events = await this.store.runs.commit(runId, (current) => {
      const outcome = acceptToolOutputs(current, request, this.options.expiresAfterSeconds);
      if (outcome instanceof Error) {
        failure = outcome;
        return undefined;
      }
      queued = outcome.run;
      return outcome.changes;
    });
    if (failure) throw failure;
    this.bus.notify(runId, events);
    this.scheduler.wake();
    return { run: queued ?? stored.run, afterSeq };
  }

  async getStep(project: string, threadId: string, runId: string, stepId: string, include: readonly string[] = []): Promise<RunStep> {
    await this.#stored(project, threadId, runId);
    const step = await this.store.runs.getStep(project, threadId, runId, stepId);
    if (!step) throw errors.notFound('step', stepId);
    return presentStep(step, include);
  }

  async listSteps(project: string, threadId: string, runId: string, page: PageRequest, include: readonly string[] = []) {
    await this.#stored(project, threadId, runId);
    const steps = await this.store.runs.listSteps(project, threadId, runId, page);
    return { ...steps, data: steps.data.map((step) => presentStep(step, include)) };
  }

  /** Where a resumed stream of this run starts: after `lastEventId`, or from the beginning. */
  async streamStart(project: string, threadId: string, runId: string, lastEventId: string | undefined): Promise<number> {
    await this.#stored(project, threadId, runId);
    if (lastEventId === undefined || lastEventId === '') return 0;
    const seq = Number(lastEventId);
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw errors.invalidValue('Last-Event-ID', `Invalid 'Last-Event-ID': expected an event id from this stream, got '${lastEventId}'.`);
    }
    return seq;
  }

  /** A run that can search must not depend on an expired vector store: OpenAI refuses it up front. */
  async #requireLiveVectorStores(project: string, run: Run, sources: ReadonlyArray<Thread['tool_resources'] | undefined>): Promise<void> {
    if (!run.tools.some((tool) => tool.type === 'file_search')) return;
    for (const id of sources.flatMap((source) => source?.file_search?.vector_store_ids ?? [])) {
      const store = await this.store.vectorStores.get(project, id);
      if (store && isExpired(store)) {
        throw errors.invalidRequest(
          `Vector store ${id} has expired. Create a new vector store (or remove this one from the assistant or thread) and try again.`,
          'tool_resources.file_search.vector_store_ids',
          'vector_store_expired',
        );
      }
    }
  }

  #buildRun(assistant: Parameters<typeof buildRun>[0]['assistant'], threadId: string, overrides: RunOverrides): Run {
    return buildRun({ assistant, threadId, overrides, createdAt: nowSeconds(), expiresAfterSeconds: this.options.expiresAfterSeconds });
  }

  async #insert(record: Parameters<Store['runs']['create']>[0]): Promise<RunStart> {
    try {
      const events = await this.store.runs.create(record);
      this.bus.notify(record.run.id, events);
      this.scheduler.wake();
      return { run: record.run, afterSeq: (events[0]?.seq ?? 1) - 1 };
    } catch (error) {
      if (error instanceof ThreadBusyError) throw runErrors.threadBusyForRun(error.threadId, error.runId);
      throw error;
    }
  }

  async #additionalMessages(project: string, threadId: string, requests: NonNullable<CreateRunRequest['additional_messages']>): Promise<Message[]> {
    for (const [index, request] of requests.entries()) {
      await requireMessageFiles(this.store, project, request, `additional_messages[${index}]`);
    }
    const createdAt = nowSeconds();
    return requests.map((request) => buildMessage({ id: newId('msg_'), threadId, request, createdAt }));
  }

  async #stored(project: string, threadId: string, runId: string): Promise<StoredRun> {
    const stored = await this.store.runs.get(project, threadId, runId);
    if (!stored) {
      await this.threads.get(project, threadId);
      throw errors.notFound('run', runId);
    }
    return stored;
  }
}

function initialState(include: string[], reasoningEffort: string | null | undefined): RunState {
  return { include, reasoningEffort: reasoningEffort ?? null, modelCalls: 0, usedTokens: { prompt: 0, completion: 0 } };
}

/** A queued or waiting run has no worker to stop it: it goes through `cancelling` to `cancelled` in one write. */
function cancelWaitingRun(current: StoredRun, cancelling: Run): RunChanges {
  const now = nowSeconds();
  const cancelled: Run = { ...cancelling, status: 'cancelled', cancelled_at: now, expires_at: null, required_action: null };
  const { pendingStep, ...state } = current.state;
  const steps = pendingStep ? [endStep(pendingStep, 'cancelled')] : [];
  return {
    run: cancelled,
    state,
    steps,
    events: [runStatusEvent(cancelling), ...steps.map((step) => stepEvent(step, 'cancelled')), runStatusEvent(cancelled)],
  };
}

/**
 * Checks the outputs answer every pending call exactly once, records them on the tool-call step and
 * queues the run again. Returns an error to throw when they do not.
 */
function acceptToolOutputs(current: StoredRun, request: SubmitToolOutputsRequest, expiresAfterSeconds: number) {
  const { run } = current;
  if (run.status !== 'requires_action' || !run.required_action) return runErrors.notAcceptingToolOutputs(run.status);
  const expected = run.required_action.submit_tool_outputs.tool_calls.map((call) => call.id);
  const received = request.tool_outputs.map((output) => output.tool_call_id ?? '');
  const sameSet = received.length === expected.length && new Set(received).size === received.length && received.every((id) => expected.includes(id));
  if (!sameSet) return runErrors.toolOutputsMismatch(expected, received);
  const outputs = new Map(request.tool_outputs.map((output) => [output.tool_call_id ?? '', output.output ?? '']));
  const step = current.state.pendingStep;
  if (!step) return runErrors.notAcceptingToolOutputs(run.status);
  const now = nowSeconds();
  const details = step.step_details;
  const completedStep: RunStep = {
    ...step,
    status: 'completed',
    completed_at: now,
    step_details:
      details.type === 'tool_calls'
        ? {
            ...details,
            tool_calls: details.tool_calls.map((call) =>
              call.type === 'function' ? { ...call, function: { ...call.function, output: outputs.get(call.id) ?? '' } } : call,
            ),
          }
        : details,
  };
  const queued: Run = { ...run, status: 'queued', required_action: null, expires_at: now + expiresAfterSeconds };
  const { pendingStep: _done, ...state } = current.state;
  return {
    run: queued,
    changes: { run: queued, state, steps: [completedStep], events: [stepEvent(completedStep, 'completed'), runStatusEvent(queued)] },
  };
}

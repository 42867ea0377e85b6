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
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import { buildRun, type RunOverrides } from '../runs/build-run.js';
import { cancelRun } from '../runs/cancel-run.js';
import { presentStep } from '../runs/present-step.js';
import type { RunEventBus } from '../runs/run-event-bus.js';
import { type RunStreamEvent, runCreatedEvent, runStatusEvent } from '../runs/run-events.js';
import type { RunScheduler } from '../runs/run-scheduler.js';
import type { RunWriter } from '../runs/run-writer.js';
import { streamRunEvents } from '../runs/stream-run-events.js';
import { submitToolOutputs } from '../runs/submit-tool-outputs.js';
import {
  type NewRunEvent,
  type NewRunRecord,
  type RunState,
  type StoredRun,
  ThreadBusyError,
} from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import type { AssistantService } from './assistants.js';
import { buildMessage } from './message-content.js';
import { requireMessageFiles } from './messages.js';
import { resolveMetadata } from './metadata.js';
import type { ThreadAttachments } from './thread-attachments.js';
import type { ThreadService } from './threads.js';
import type { ToolResourceResolver, ToolResourcesInput } from './tool-resources.js';
import { isExpired } from './vector-store-views.js';

export type { RunStreamEvent };

/** A run as the API returns it, and where in its event log the caller's stream should start. */
export interface RunStart {
  run: Run;
  /** Stream events with a seq greater than this. */
  afterSeq: number;
}

/** How the service reaches the run engine. */
export interface RunEngine {
  writer: RunWriter;
  scheduler: RunScheduler;
  /** Tells streams that a run's event log grew. */
  bus: RunEventBus;
}

export interface RunServiceOptions {
  /** Seconds a run may wait in `queued`/`requires_action` before it expires (OpenAI: 10 minutes). */
  expiresAfterSeconds: number;
}

/** Runs as resources: create, read, modify, list steps; cancel, tool outputs and streams go to the run engine. */
export class RunService {
  constructor(
    private readonly store: Store,
    private readonly assistants: AssistantService,
    private readonly threads: ThreadService,
    private readonly engine: RunEngine,
    private readonly options: RunServiceOptions,
    private readonly related: { toolResources: ToolResourceResolver; attachments: ThreadAttachments },
  ) {}

  async create(project: string, threadId: string, request: CreateRunRequest, include: string[]): Promise<RunStart> {
    const thread = await this.threads.get(project, threadId);
    const assistant = await this.assistants.get(project, request.assistant_id);
    // The spec gives `additional_messages` no bound of its own; they count against the thread's limit.
    await this.threads.requireRoomFor(project, threadId, request.additional_messages?.length ?? 0);
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
    const events: NewRunEvent[] = [
      { event: 'thread.created', data: thread },
      runCreatedEvent(run),
      runStatusEvent(run),
    ];
    const state = initialState([], null);
    if (request.tool_resources) {
      state.toolResources = await this.related.toolResources.resolve(
        project,
        request.tool_resources as ToolResourcesInput,
      );
    }
    await this.#requireLiveVectorStores(project, run, [
      assistant.tool_resources,
      state.toolResources ?? thread.tool_resources,
    ]);
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
    const { stored } = await this.engine.writer.commit(runId, (current) => {
      const run = { ...current.run, metadata: resolveMetadata(request.metadata, current.run.metadata ?? {}) };
      return { run, events: [] };
    });
    if (!stored) throw errors.notFound('run', runId);
    return stored.run;
  }

  async cancel(project: string, threadId: string, runId: string): Promise<Run> {
    await this.#stored(project, threadId, runId);
    return cancelRun(this.engine.writer, this.engine.scheduler, runId);
  }

  async submitToolOutputs(
    project: string,
    threadId: string,
    runId: string,
    request: SubmitToolOutputsRequest,
  ): Promise<RunStart> {
    await this.#stored(project, threadId, runId);
    const { writer, scheduler } = this.engine;
    return submitToolOutputs(writer, scheduler, runId, request, this.options.expiresAfterSeconds);
  }

  /**
   * The run's events after `afterSeq`, from its log and then live, until it pauses or ends; stops when `signal`
   * aborts (the client left), which never stops the run.
   */
  stream(runId: string, afterSeq: number, signal: AbortSignal): AsyncIterable<RunStreamEvent> {
    return streamRunEvents(this.store.runs, this.engine.bus, runId, afterSeq, signal);
  }

  async getStep(
    project: string,
    threadId: string,
    runId: string,
    stepId: string,
    include: readonly string[] = [],
  ): Promise<RunStep> {
    await this.#stored(project, threadId, runId);
    const step = await this.store.runs.getStep(project, threadId, runId, stepId);
    if (!step) throw errors.notFound('step', stepId);
    return presentStep(step, include);
  }

  async listSteps(
    project: string,
    threadId: string,
    runId: string,
    page: PageRequest,
    include: readonly string[] = [],
  ) {
    await this.#stored(project, threadId, runId);
    const steps = await this.store.runs.listSteps(project, threadId, runId, page);
    return { ...steps, data: steps.data.map((step) => presentStep(step, include)) };
  }

  /** Where a resumed stream of this run starts: after `lastEventId`, or from the beginning. */
  async streamStart(
    project: string,
    threadId: string,
    runId: string,
    lastEventId: string | undefined,
  ): Promise<number> {
    await this.#stored(project, threadId, runId);
    if (lastEventId === undefined || lastEventId === '') return 0;
    const seq = Number(lastEventId);
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw errors.lastEventIdInvalid(lastEventId);
    }
    return seq;
  }

  /** A run that can search must not depend on an expired vector store: OpenAI refuses it up front. */
  async #requireLiveVectorStores(
    project: string,
    run: Run,
    sources: ReadonlyArray<Thread['tool_resources'] | undefined>,
  ): Promise<void> {
    if (!run.tools.some((tool) => tool.type === 'file_search')) return;
    for (const id of sources.flatMap((source) => source?.file_search?.vector_store_ids ?? [])) {
      const store = await this.store.vectorStores.get(project, id);
      if (store && isExpired(store)) {
        throw errors.vectorStoreExpired(id);
      }
    }
  }

  #buildRun(assistant: Parameters<typeof buildRun>[0]['assistant'], threadId: string, overrides: RunOverrides): Run {
    return buildRun({
      assistant,
      threadId,
      overrides,
      createdAt: nowSeconds(),
      expiresAfterSeconds: this.options.expiresAfterSeconds,
    });
  }

  async #insert(record: NewRunRecord): Promise<RunStart> {
    try {
      const events = await this.engine.writer.create(record);
      // After this turn: a streamed create writes its response headers and first events (read back at once)
      // before the worker starts on the run, so the client's first bytes never wait for the model call.
      setImmediate(() => this.engine.scheduler.wake());
      return { run: record.run, afterSeq: (events[0]?.seq ?? 1) - 1 };
    } catch (error) {
      if (error instanceof ThreadBusyError) throw errors.threadBusyForRun(error.threadId, error.runId);
      throw error;
    }
  }

  async #additionalMessages(
    project: string,
    threadId: string,
    requests: NonNullable<CreateRunRequest['additional_messages']>,
  ): Promise<Message[]> {
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

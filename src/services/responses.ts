import type { Page, PageRequest } from '../api/pagination.js';
import type { ResponseSettings, ResponseTool } from '../api/response-settings.js';
import type { Thread } from '../api/types.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import { type CreateResponseBody, responseEcho, responseRun } from '../responses/create-response.js';
import type { InputFileSupport } from '../responses/input-file.js';
import { type InputItemsContext, toThreadRows } from '../responses/input-items.js';
import { INCLUDE_FILE_SEARCH_RESULTS } from '../responses/items.js';
import type { ResponseObject } from '../responses/serialize-response.js';
import type { ResponseStreamEvent } from '../responses/stream-translator.js';
import { requireOfferedToolChoice } from '../responses/tool-choice.js';
import { cancelRun } from '../runs/cancel-run.js';
import { runCreatedEvent, runStatusEvent } from '../runs/run-events.js';
import { isTerminal } from '../runs/run-status.js';
import { streamRunEvents } from '../runs/stream-run-events.js';
import { type StoredRun, ThreadBusyError } from '../store/run-repository.js';
import type { ConversationItem, Store } from '../store/store.js';
import type { CodeInterpreterContainer, ContainerService } from './containers.js';
import { presentItems } from './conversation-items.js';
import { ResponseView } from './response-view.js';
import type { RunEngine } from './runs.js';
import type { VectorStoreService } from './vector-stores.js';

/** The Assistants `include[]` value that keeps file_search results' text on a run's step events. */
const STEP_RESULTS_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

/**
 * How long a cancel (or a delete of a running response) waits for the response to stop before answering: cancelling
 * aborts the model call, so the run normally ends within milliseconds and the answer shows it `cancelled`, as
 * OpenAI's does. A response still stopping after this is answered as it is (in progress) and ends on its own.
 */
const CANCEL_WAIT_MS = 5_000;

/** A response as the service hands it around: the run that carries it out. */
export type StoredResponse = StoredRun;

export interface ResponseServiceOptions {
  /** Most rows (messages and other items) one conversation may hold. */
  maxRowsPerThread: number;
}

export interface ResponseServiceDependencies {
  vectorStores: VectorStoreService;
  containers: ContainerService;
  /** Reading `input_file` parts' text. */
  inputFiles?: InputFileSupport;
}

/**
 * Responses as resources: a response is a run of the one run engine (same queue, run loop and event log) on a
 * thread — its conversation's, or one made for it — with its own presentation: the Response object, its output
 * items and the Responses stream events, all made from the run's rows and log.
 */
export class ResponseService {
  readonly #view: ResponseView;

  constructor(
    private readonly store: Store,
    private readonly engine: RunEngine,
    private readonly related: ResponseServiceDependencies,
    private readonly options: ResponseServiceOptions,
  ) {
    this.#view = new ResponseView(store, engine.bus);
  }

  /** Stores the response (its run, its input items, its thread when it has no conversation) and queues it. */
  async create(project: string, body: CreateResponseBody): Promise<StoredRun> {
    if (body.conversation && body.previous_response_id) throw errors.conversationWithPreviousResponse();
    // A stored prompt template (`prompt: {id, version, variables}`) has nothing to resolve against here.
    const { prompt } = body as { prompt?: unknown };
    if (prompt !== undefined && prompt !== null) {
      throw errors.invalidParameter(
        'prompt',
        'stored prompt templates are not served here; send instructions and input',
      );
    }
    if (!body.model) throw errors.missingParameter('model');
    const echo = responseEcho(body, body.model);
    requireOfferedToolChoice(echo.tool_choice, echo.tools);
    if (echo.background && !echo.store) throw errors.backgroundWithoutStore();
    if (body.previous_response_id) await this.#previous(project, body.previous_response_id);
    const conversation = body.conversation ? await this.#conversation(project, body.conversation) : undefined;
    await this.#requireVectorStores(project, echo.tools);
    const containerId = await this.#container(project, body.tools ?? []);
    const thread = conversation ?? privateThread();
    const run = responseRun(echo, thread.id, body.tools);
    const settings: ResponseSettings = {
      echo,
      conversationId: conversation?.id ?? null,
      include: body.include ?? [],
      privateThread: conversation === undefined,
      containerId,
      builtinCalls: 0,
    };
    const rows = await toThreadRows(this.#inputContext(project), thread.id, body.input ?? [], { inputOf: run.id });
    if (conversation) await this.#requireRoom(project, conversation.id, rows.length);
    const state = {
      // The run's step events carry search results' text when the response's stream is to show them.
      include: settings.include.includes(INCLUDE_FILE_SEARCH_RESULTS) ? [STEP_RESULTS_CONTENT] : [],
      reasoningEffort: echo.reasoning.effort,
      modelCalls: 0,
      usedTokens: { prompt: 0, completion: 0 },
      response: settings,
    };
    try {
      await this.engine.writer.create({
        project,
        ...(conversation ? {} : { thread }),
        messages: [],
        rows,
        run,
        state,
        events: [runCreatedEvent(run), runStatusEvent(run)],
      });
    } catch (error) {
      if (error instanceof ThreadBusyError) throw errors.conversationBusy(thread.id, error.runId);
      throw error;
    }
    // After this turn, as for runs: a streamed create sends its first events before the worker starts.
    setImmediate(() => this.engine.scheduler.wake());
    return { project, run, state };
  }

  /** A stored response (404 for responses created with `store: false`, which are never retrievable). */
  async stored(project: string, id: string): Promise<StoredRun> {
    const stored = await this.store.runs.getById(id);
    if (!stored || stored.project !== project || !stored.state.response?.echo.store) throw errors.responseNotFound(id);
    return stored;
  }

  /** The response as it is now in the store (`ResponseView.present`). */
  present(stored: StoredRun, origin: string, include?: readonly string[]): Promise<ResponseObject> {
    return this.#view.present(stored, origin, include);
  }

  /** The response's stream (`ResponseView.events`). */
  events(
    stored: StoredRun,
    origin: string,
    startingAfter: number,
    signal: AbortSignal,
  ): AsyncGenerator<ResponseStreamEvent> {
    return this.#view.events(stored, origin, startingAfter, signal);
  }

  /** Waits until the response has ended (or `signal` aborts), following its log. */
  async waitForEnd(stored: StoredRun, signal: AbortSignal): Promise<void> {
    for await (const _ of streamRunEvents(this.store.runs, this.engine.bus, stored.run.id, 0, signal)) {
      // Only the end matters: the stream stops after the run's last event.
    }
  }

  /**
   * Removes what a `store: false` response left once its request has answered: its thread when it had one of its
   * own (with the run, its rows and log), else the run itself; the items it added to a conversation stay there.
   */
  async discard(stored: StoredRun): Promise<void> {
    if (stored.state.response?.privateThread) await this.store.threads.delete(stored.project, stored.run.thread_id);
    else await this.store.runs.delete(stored.project, stored.run.id);
  }

  async delete(project: string, id: string): Promise<{ id: string; object: 'response'; deleted: true }> {
    const stored = await this.stored(project, id);
    if (!isTerminal(stored.run.status)) {
      await cancelRun(this.engine.writer, this.engine.scheduler, id);
      // Streams following the response get its end (cancelled) before its log goes; a follower waiting for the
      // next event of a run that is no longer there would wait forever.
      await this.waitForEnd(stored, AbortSignal.timeout(CANCEL_WAIT_MS));
    }
    await this.discard(stored);
    return { id, object: 'response', deleted: true };
  }

  /** Cancels a background response; one that has ended already is returned as it is. */
  async cancel(project: string, id: string, origin: string): Promise<ResponseObject> {
    const stored = await this.stored(project, id);
    if (!stored.state.response!.echo.background) throw errors.cancelNotBackground();
    if (!isTerminal(stored.run.status) && stored.run.status !== 'cancelling') {
      await cancelRun(this.engine.writer, this.engine.scheduler, id);
    }
    await this.waitForEnd(stored, AbortSignal.timeout(CANCEL_WAIT_MS));
    return this.present(stored, origin);
  }

  /** The items the response took as input, a cursor page. */
  async inputItems(
    project: string,
    id: string,
    page: PageRequest,
    include: readonly string[],
  ): Promise<Page<ConversationItem>> {
    const stored = await this.stored(project, id);
    const rows = await this.store.messages.listRows(project, stored.run.thread_id, page, { inputOf: id });
    return { data: await presentItems(this.store, project, rows.data, include), hasMore: rows.hasMore };
  }

  async #previous(project: string, id: string): Promise<StoredRun> {
    const stored = await this.store.runs.getById(id);
    if (!stored || stored.project !== project || !stored.state.response?.echo.store) {
      throw errors.previousResponseNotFound(id);
    }
    return stored;
  }

  async #conversation(project: string, conversation: string | { id: string }): Promise<Thread> {
    const id = typeof conversation === 'string' ? conversation : conversation.id;
    const thread = await this.store.threads.get(project, id);
    if (!thread) throw errors.conversationNotFound(id);
    return thread;
  }

  async #requireVectorStores(project: string, tools: readonly ResponseTool[]): Promise<void> {
    for (const [index, tool] of tools.entries()) {
      if (tool.type !== 'file_search') continue;
      await this.related.vectorStores.requireAll(
        project,
        tool.vector_store_ids as string[],
        `tools[${index}].vector_store_ids`,
      );
    }
  }

  /** The container of the request's code_interpreter tool: the one it names, or a new one (`auto`). */
  async #container(project: string, tools: readonly ResponseTool[]): Promise<string | null> {
    const index = tools.findIndex((tool) => tool.type === 'code_interpreter');
    if (index === -1) return null;
    const container = (tools[index]!.container ?? { type: 'auto' }) as CodeInterpreterContainer;
    return (await this.related.containers.forCodeInterpreter(project, container, `tools[${index}].container`)).id;
  }

  async #requireRoom(project: string, threadId: string, adding: number): Promise<void> {
    const count = await this.store.messages.count(project, threadId);
    if (count + adding > this.options.maxRowsPerThread) {
      throw errors.tooManyAdditionalMessages(threadId, count, adding, this.options.maxRowsPerThread);
    }
  }

  /** An `item_reference` may name an item of any of the project's threads (clients replay earlier responses'). */
  #inputContext(project: string): InputItemsContext {
    const findRow = async (id: string) => (await this.store.messages.findRow(project, id))?.row;
    return { store: this.store, project, param: 'input', findRow, inputFiles: this.related.inputFiles };
  }
}

/** A new thread for a response that has no conversation. */
function privateThread(): Thread {
  return { id: newId('thread_'), object: 'thread', created_at: nowSeconds(), tool_resources: {}, metadata: {} };
}

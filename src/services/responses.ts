import type { Page, PageRequest } from '../api/pagination.js';
import type { ResponseSettings, ResponseTool } from '../api/response-settings.js';
import type { Message, RunStep, Thread } from '../api/types.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import { type CreateResponseBody, responseEcho, responseRun } from '../responses/create-response.js';
import type { InputFileSupport } from '../responses/input-file.js';
import { type InputItemsContext, toThreadRows } from '../responses/input-items.js';
import {
  type FileAttributes,
  fileContentPath,
  INCLUDE_FILE_SEARCH_RESULTS,
  responseOutput,
  rowToItem,
  toolCallItemId,
} from '../responses/items.js';
import { presentResponse, type ResponseObject } from '../responses/serialize-response.js';
import { type ResponseStreamEvent, ResponseStreamTranslator } from '../responses/stream-translator.js';
import { requireOfferedToolChoice } from '../responses/tool-choice.js';
import { cancelRun } from '../runs/cancel-run.js';
import { runCreatedEvent, runStatusEvent } from '../runs/run-events.js';
import { isTerminal } from '../runs/run-status.js';
import { streamRunEvents } from '../runs/stream-run-events.js';
import { type StoredRun, ThreadBusyError } from '../store/run-repository.js';
import type { ConversationItem, Store } from '../store/store.js';
import type { CodeInterpreterContainer, ContainerService } from './containers.js';
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
  constructor(
    private readonly store: Store,
    private readonly engine: RunEngine,
    private readonly related: ResponseServiceDependencies,
    private readonly options: ResponseServiceOptions,
  ) {}

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

  /**
   * The response as it is now in the store, its output read from the run's steps and messages. `origin` (the
   * request's `scheme://host`) makes the URLs of code_interpreter's images absolute, as the API gives them.
   * `include` is the presenting request's own (`GET /responses/{id}?include[]=…`), as OpenAI reads it per request;
   * without one (the create's answer, a cancel), the create request's.
   */
  async present(stored: StoredRun, origin: string, include?: readonly string[]): Promise<ResponseObject> {
    const current = (await this.store.runs.getById(stored.run.id)) ?? stored;
    const settings = current.state.response!;
    const [steps, messages] = await Promise.all([this.#steps(current), this.#messages(current)]);
    const queries = await this.#fileSearchQueries(current, steps);
    const attributes = await this.#fileAttributes(current, steps);
    const output = responseOutput(steps, new Map(messages.map((message) => [message.id, message])), {
      include: include ?? settings.include,
      containerId: settings.containerId,
      fileSearchQueries: (callId) => queries.get(callId),
      fileAttributes: (fileId) => attributes.get(fileId),
      filenames: await this.#filenames(current.project, messages),
      imageUrl: imageUrls(origin, settings.containerId),
    });
    return presentResponse(current.run, settings, output);
  }

  /**
   * The response's stream: its run's log from the start, translated into Responses events, those numbered after
   * `startingAfter` sent, then followed live until the response ends. Stops when `signal` aborts.
   */
  async *events(
    stored: StoredRun,
    origin: string,
    startingAfter: number,
    signal: AbortSignal,
  ): AsyncGenerator<ResponseStreamEvent> {
    const settings = stored.state.response!;
    const queries = new Map<string, readonly string[]>();
    const attributes = new Map<string, FileAttributes>();
    const translator = new ResponseStreamTranslator(stored, {
      containerId: settings.containerId,
      fileSearchQueries: (callId) => queries.get(callId),
      fileAttributes: (fileId) => attributes.get(fileId),
      imageUrl: imageUrls(origin, settings.containerId),
    });
    for await (const record of streamRunEvents(this.store.runs, this.engine.bus, stored.run.id, 0, signal)) {
      if (record.event === 'thread.run.step.completed') {
        const step = [record.data as RunStep];
        for (const [callId, callQueries] of await this.#fileSearchQueries(stored, step)) {
          queries.set(callId, callQueries);
        }
        for (const [fileId, fileAttributes] of await this.#fileAttributes(stored, step)) {
          attributes.set(fileId, fileAttributes);
        }
      }
      for (const event of translator.translate(record)) {
        if (event.sequence_number > startingAfter) yield event;
      }
      if (translator.ended) return;
    }
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
    return { data: rows.data.map((entry) => presentItem(rowToItem(entry.row), include)), hasMore: rows.hasMore };
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

  #steps(stored: StoredRun): Promise<RunStep[]> {
    return readAll((page) => this.store.runs.listSteps(stored.project, stored.run.thread_id, stored.run.id, page));
  }

  #messages(stored: StoredRun): Promise<Message[]> {
    return readAll((page) =>
      this.store.messages.list(stored.project, stored.run.thread_id, page, { runId: stored.run.id }),
    );
  }

  /** The queries of the file_search calls of these steps, from the items the response wrote (steps do not keep them). */
  async #fileSearchQueries(stored: StoredRun, steps: readonly RunStep[]): Promise<Map<string, readonly string[]>> {
    const queries = new Map<string, readonly string[]>();
    for (const step of steps) {
      if (step.step_details.type !== 'tool_calls') continue;
      for (const call of step.step_details.tool_calls) {
        if (call.type !== 'file_search') continue;
        const itemId = toolCallItemId('file_search_call', call.id);
        const row = await this.store.messages.getRow(stored.project, stored.run.thread_id, itemId);
        if (row?.row.kind === 'item' && Array.isArray(row.row.item.queries)) {
          queries.set(call.id, row.row.item.queries as string[]);
        }
      }
    }
    return queries;
  }

  /**
   * The attributes of the files these steps' file_search calls found, as the vector stores of the response's
   * file_search tool have them now (a step does not record them); a file in several of them takes the first's.
   */
  async #fileAttributes(stored: StoredRun, steps: readonly RunStep[]): Promise<Map<string, FileAttributes>> {
    const fileIds = new Set<string>();
    for (const step of steps) {
      if (step.step_details.type !== 'tool_calls') continue;
      for (const call of step.step_details.tool_calls) {
        if (call.type !== 'file_search') continue;
        for (const result of call.file_search.results ?? []) fileIds.add(result.file_id);
      }
    }
    const attributes = new Map<string, FileAttributes>();
    if (fileIds.size === 0) return attributes;
    const vectorStoreIds = stored.state.response!.echo.tools.flatMap((tool) =>
      tool.type === 'file_search' ? (tool.vector_store_ids as string[]) : [],
    );
    for (const fileId of fileIds) {
      for (const vectorStoreId of vectorStoreIds) {
        const found = await this.store.vectorStores.getFile(stored.project, vectorStoreId, fileId);
        if (!found) continue;
        attributes.set(fileId, { ...(found.file.attributes ?? {}) });
        break;
      }
    }
    return attributes;
  }

  async #filenames(project: string, messages: readonly Message[]): Promise<Map<string, string>> {
    const ids = new Set<string>();
    for (const message of messages) {
      for (const part of message.content) {
        if (part.type !== 'text') continue;
        for (const annotation of part.text.annotations) {
          if (annotation.type === 'file_citation') ids.add(annotation.file_citation.file_id);
        }
      }
    }
    return ids.size === 0 ? new Map() : this.store.files.filenames(project, [...ids]);
  }
}

/** Where an image code_interpreter drew can be fetched: a container file's content, or a File's. */
function imageUrls(origin: string, containerId: string | null): (fileId: string) => string {
  return (fileId) =>
    fileId.startsWith('cfile_') && containerId
      ? `${origin}/v1/containers/${containerId}/files/${fileId}/content`
      : `${origin}${fileContentPath(fileId)}`;
}

/** A new thread for a response that has no conversation. */
function privateThread(): Thread {
  return { id: newId('thread_'), object: 'thread', created_at: nowSeconds(), tool_resources: {}, metadata: {} };
}

/** Built-in call results are shown only when `include` asks for them (stored items keep them whole). */
export function presentItem(item: ConversationItem, include: readonly string[]): ConversationItem {
  if (item.type === 'file_search_call' && !include.includes('file_search_call.results')) {
    return { ...item, results: null };
  }
  if (item.type === 'code_interpreter_call' && !include.includes('code_interpreter_call.outputs')) {
    return { ...item, outputs: null };
  }
  return item;
}

async function readAll<T extends { id: string }>(
  list: (page: PageRequest) => Promise<{ data: T[]; hasMore: boolean }>,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await list({ limit: 100, order: 'asc', ...(after ? { after } : {}) });
    items.push(...page.data);
    if (!page.hasMore) return items;
    after = page.data.at(-1)!.id;
  }
}

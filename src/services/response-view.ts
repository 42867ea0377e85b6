import { readAllPages } from '../api/pagination.js';
import type { Message, RunStep } from '../api/types.js';
import { type FileAttributes, fileContentPath, responseOutput, toolCallItemId } from '../responses/items.js';
import { presentResponse, type ResponseObject } from '../responses/serialize-response.js';
import { type ResponseStreamEvent, ResponseStreamTranslator } from '../responses/stream-translator.js';
import type { RunEventBus } from '../runs/run-event-bus.js';
import { streamRunEvents } from '../runs/stream-run-events.js';
import type { StoredRun } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import { citedFilenames } from './conversation-items.js';

/**
 * A response as clients see it: the Response object made from its run's steps and messages, and its stream made
 * from its run's event log, with what neither records looked up (file_search queries and the found files'
 * attributes, cited files' names) and image URLs made absolute from the request's origin.
 */
export class ResponseView {
  constructor(
    private readonly store: Store,
    private readonly bus: RunEventBus,
  ) {}

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
      filenames: await citedFilenames(this.store, current.project, messages),
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
    for await (const record of streamRunEvents(this.store.runs, this.bus, stored.run.id, 0, signal)) {
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

  #steps(stored: StoredRun): Promise<RunStep[]> {
    return readAllPages((page) => this.store.runs.listSteps(stored.project, stored.run.thread_id, stored.run.id, page));
  }

  #messages(stored: StoredRun): Promise<Message[]> {
    return readAllPages((page) =>
      this.store.messages.list(stored.project, stored.run.thread_id, page, { runId: stored.run.id }),
    );
  }
}

/** Where an image code_interpreter drew can be fetched: a container file's content, or a File's. */
function imageUrls(origin: string, containerId: string | null): (fileId: string) => string {
  return (fileId) =>
    fileId.startsWith('cfile_') && containerId
      ? `${origin}/v1/containers/${containerId}/files/${fileId}/content`
      : `${origin}${fileContentPath(fileId)}`;
}

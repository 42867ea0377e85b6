import type { ListResponse, PageRequest } from '../api/pagination.js';
import { toListResponse } from '../api/pagination.js';
import type { Metadata, Thread } from '../api/types.js';
import { ApiError, errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import type { InputFileSupport } from '../responses/input-file.js';
import { type InputItemsContext, toThreadRows } from '../responses/input-items.js';
import { ThreadBusyError } from '../store/run-repository.js';
import type { ConversationItem, NewThreadRow, Store } from '../store/store.js';
import { presentItems } from './conversation-items.js';
import { resolveMetadata } from './metadata.js';
import type { ThreadService } from './threads.js';

/** `{id, object: 'conversation', created_at, metadata}`: a thread as the Conversations API shows it. */
export interface Conversation {
  id: string;
  object: 'conversation';
  created_at: number;
  metadata: Record<string, string>;
}

export interface CreateConversationRequest {
  metadata?: Metadata | null;
  items?: unknown[] | null;
}

/**
 * Conversations are threads: one created here is a thread whose id has the `conv_` prefix, and every Assistants
 * thread (`thread_…`) is a conversation too, so an app can read and extend its Assistants history through this API.
 * Items are the thread's rows: its messages (which the Assistants API sees) and the other items.
 */
export class ConversationService {
  constructor(
    private readonly store: Store,
    private readonly threads: ThreadService,
    private readonly maxRowsPerThread: number,
    /** Reading `input_file` parts' text. */
    private readonly inputFiles?: InputFileSupport,
  ) {}

  async create(project: string, request: CreateConversationRequest): Promise<Conversation> {
    const thread: Thread = {
      id: newId('conv_'),
      object: 'thread',
      created_at: nowSeconds(),
      tool_resources: {},
      metadata: resolveMetadata(request.metadata ?? undefined),
    };
    const rows = await toThreadRows(this.#inputContext(project, 'items'), thread.id, request.items ?? [], {
      requireCalls: false,
    });
    await this.store.threads.insert(project, thread, []);
    try {
      if (rows.length > 0) await this.store.messages.insertRows(project, thread.id, rows);
    } catch (error) {
      await this.store.threads.delete(project, thread.id);
      throw error;
    }
    return toConversation(thread);
  }

  async get(project: string, id: string): Promise<Conversation> {
    return toConversation(await this.#thread(project, id));
  }

  /** Metadata is all a conversation has to change; it replaces the old metadata whole, as OpenAI does. */
  async update(project: string, id: string, metadata: Metadata): Promise<Conversation> {
    const current = await this.#thread(project, id);
    const updated: Thread = { ...current, metadata: resolveMetadata(metadata, current.metadata ?? {}) };
    await this.store.threads.update(project, updated);
    return toConversation(updated);
  }

  /** Deletes the thread and its rows, as thread delete does (its code session closes too). */
  async delete(project: string, id: string): Promise<{ id: string; object: 'conversation.deleted'; deleted: true }> {
    await this.#thread(project, id);
    try {
      await this.threads.delete(project, id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) throw errors.conversationNotFound(id);
      throw error;
    }
    return { id, object: 'conversation.deleted', deleted: true };
  }

  async createItems(
    project: string,
    id: string,
    items: readonly unknown[],
    include: readonly string[],
  ): Promise<ListResponse<ConversationItem>> {
    await this.#thread(project, id);
    const rows = await toThreadRows(this.#inputContext(project, 'items'), id, items, { requireCalls: false });
    await this.#requireRoom(project, id, rows.length);
    await this.#insert(project, id, rows);
    const data = await presentItems(this.store, project, rows, include);
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false };
  }

  async listItems(
    project: string,
    id: string,
    page: PageRequest,
    include: readonly string[],
  ): Promise<ListResponse<ConversationItem>> {
    await this.#thread(project, id);
    const stored = await this.store.messages.listRows(project, id, page);
    return toListResponse({
      data: await presentItems(this.store, project, stored.data, include),
      hasMore: stored.hasMore,
    });
  }

  async getItem(project: string, id: string, itemId: string, include: readonly string[]): Promise<ConversationItem> {
    await this.#thread(project, id);
    const stored = await this.store.messages.getRow(project, id, itemId);
    if (!stored) throw errors.conversationItemNotFound(itemId);
    return (await presentItems(this.store, project, [stored], include))[0]!;
  }

  /** Answers with the conversation, as OpenAI does. */
  async deleteItem(project: string, id: string, itemId: string): Promise<Conversation> {
    const thread = await this.#thread(project, id);
    if (!(await this.store.messages.deleteRow(project, id, itemId))) throw errors.conversationItemNotFound(itemId);
    return toConversation(thread);
  }

  async #thread(project: string, id: string): Promise<Thread> {
    const thread = await this.store.threads.get(project, id);
    if (!thread) throw errors.conversationNotFound(id);
    return thread;
  }

  async #requireRoom(project: string, id: string, adding: number): Promise<void> {
    if ((await this.store.messages.count(project, id)) + adding > this.maxRowsPerThread) {
      throw errors.tooManyMessages(id, this.maxRowsPerThread);
    }
  }

  async #insert(project: string, id: string, rows: readonly NewThreadRow[]): Promise<void> {
    try {
      await this.store.messages.insertRows(project, id, rows);
    } catch (error) {
      if (error instanceof ThreadBusyError) throw errors.threadBusyForMessage(id, error.runId);
      throw error;
    }
  }

  /** Item references name items of any of the project's conversations and responses. */
  #inputContext(project: string, param: string): InputItemsContext {
    const findRow = async (itemId: string) => (await this.store.messages.findRow(project, itemId))?.row;
    return { store: this.store, project, param, findRow, inputFiles: this.inputFiles };
  }
}

export function toConversation(thread: Thread): Conversation {
  return { id: thread.id, object: 'conversation', created_at: thread.created_at, metadata: thread.metadata ?? {} };
}

import type { PageRequest } from '../api/pagination.js';
import type { CreateMessageRequest, Message, ModifyMessageRequest } from '../api/types.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import { ThreadBusyError } from '../store/run-repository.js';
import type { Store } from '../store/store.js';
import { buildMessage, referencedFileIds } from './message-content.js';
import { resolveMetadata } from './metadata.js';
import { requireFiles } from './references.js';
import type { ThreadAttachments } from './thread-attachments.js';

export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly maxMessagesPerThread: number,
    private readonly attachments: ThreadAttachments,
  ) {}

  async create(project: string, threadId: string, request: CreateMessageRequest): Promise<Message> {
    const thread = await this.store.threads.get(project, threadId);
    if (!thread) throw errors.notFound('thread', threadId);
    await requireMessageFiles(this.store, project, request);
    if ((await this.store.messages.count(project, threadId)) >= this.maxMessagesPerThread) {
      throw errors.tooManyMessages(threadId, this.maxMessagesPerThread);
    }
    const message = buildMessage({ id: newId('msg_'), threadId, request, createdAt: nowSeconds() });
    try {
      await this.store.messages.insert(project, message);
    } catch (error) {
      if (error instanceof ThreadBusyError) throw errors.threadBusyForMessage(threadId, error.runId);
      throw error;
    }
    const attached = await this.attachments.attach(project, thread, [request]);
    if (attached !== thread) await this.store.threads.update(project, attached);
    return message;
  }

  async get(project: string, threadId: string, id: string): Promise<Message> {
    await this.#requireThread(project, threadId);
    const message = await this.store.messages.get(project, threadId, id);
    if (!message) throw errors.notFound('message', id);
    return message;
  }

  async modify(project: string, threadId: string, id: string, request: ModifyMessageRequest): Promise<Message> {
    const current = await this.get(project, threadId, id);
    const updated: Message = { ...current, metadata: resolveMetadata(request.metadata, current.metadata ?? {}) };
    await this.store.messages.update(project, updated);
    return updated;
  }

  async delete(project: string, threadId: string, id: string) {
    await this.#requireThread(project, threadId);
    if (!(await this.store.messages.delete(project, threadId, id))) throw errors.notFound('message', id);
    return { id, object: 'thread.message.deleted' as const, deleted: true as const };
  }

  async list(project: string, threadId: string, page: PageRequest, runId?: string) {
    await this.#requireThread(project, threadId);
    return this.store.messages.list(project, threadId, page, runId === undefined ? {} : { runId });
  }

  async #requireThread(project: string, threadId: string): Promise<void> {
    if (!(await this.store.threads.get(project, threadId))) throw errors.notFound('thread', threadId);
  }
}

/** Image parts and attachments must name files of this project. */
export async function requireMessageFiles(
  store: Store,
  project: string,
  request: CreateMessageRequest,
  prefix = '',
): Promise<void> {
  const { images, attachments } = referencedFileIds(request);
  const param = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  await requireFiles(store, project, images, param('content'));
  await requireFiles(store, project, attachments, param('attachments'));
}

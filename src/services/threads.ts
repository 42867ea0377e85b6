import type { CreateMessageRequest, CreateThreadRequest, Message, ModifyThreadRequest, Thread } from '../api/types.js';
import { errors } from '../errors.js';
import { newId, nowSeconds } from '../ids.js';
import type { Store } from '../store/store.js';
import { buildMessage } from './message-content.js';
import { requireMessageFiles } from './messages.js';
import { resolveMetadata } from './metadata.js';
import type { ThreadAttachments } from './thread-attachments.js';
import type { ToolResourceResolver, ToolResourcesInput } from './tool-resources.js';

export class ThreadService {
  constructor(
    private readonly store: Store,
    private readonly maxMessagesPerThread: number,
    private readonly toolResources: ToolResourceResolver,
    private readonly attachments: ThreadAttachments,
    /** Called after a thread is deleted, so what belongs to it elsewhere (its code session) goes too. */
    private readonly onDeleted: (threadId: string) => Promise<void> = async () => undefined,
  ) {}

  async create(project: string, request: CreateThreadRequest = {}): Promise<Thread> {
    const { thread, messages } = await this.prepare(project, request);
    await this.store.threads.insert(project, thread, messages);
    return thread;
  }

  /** A validated new thread and its initial messages, not yet stored (`createThreadAndRun` stores them with the run). */
  async prepare(project: string, request: CreateThreadRequest = {}): Promise<{ thread: Thread; messages: Message[] }> {
    const createdAt = nowSeconds();
    const thread: Thread = {
      id: newId('thread_'),
      object: 'thread',
      created_at: createdAt,
      tool_resources: await this.toolResources.resolve(project, request.tool_resources as ToolResourcesInput | null),
      metadata: resolveMetadata(request.metadata),
    };
    const requests: CreateMessageRequest[] = request.messages ?? [];
    if (requests.length > this.maxMessagesPerThread) {
      throw errors.arrayTooLong('messages', this.maxMessagesPerThread, requests.length);
    }
    for (const [index, message] of requests.entries()) {
      await requireMessageFiles(this.store, project, message, `messages[${index}]`);
    }
    const messages = requests.map((message) =>
      buildMessage({ id: newId('msg_'), threadId: thread.id, request: message, createdAt }),
    );
    return { thread: await this.attachments.attach(project, thread, requests), messages };
  }

  /** Refuses `adding` more messages when the thread would then hold more than the per-thread limit. */
  async requireRoomFor(project: string, threadId: string, adding: number): Promise<void> {
    if (adding === 0) return;
    const count = await this.store.messages.count(project, threadId);
    if (count + adding > this.maxMessagesPerThread) {
      throw errors.tooManyAdditionalMessages(threadId, count, adding, this.maxMessagesPerThread);
    }
  }

  async get(project: string, id: string): Promise<Thread> {
    const thread = await this.store.threads.get(project, id);
    if (!thread) throw errors.notFound('thread', id);
    return thread;
  }

  async modify(project: string, id: string, request: ModifyThreadRequest): Promise<Thread> {
    const current = await this.get(project, id);
    const updated: Thread = {
      ...current,
      tool_resources: await this.toolResources.resolve(
        project,
        request.tool_resources as ToolResourcesInput | null | undefined,
        current.tool_resources ?? {},
      ),
      metadata: resolveMetadata(request.metadata, current.metadata ?? {}),
    };
    await this.store.threads.update(project, updated);
    return updated;
  }

  async delete(project: string, id: string): Promise<{ id: string; object: 'thread.deleted'; deleted: true }> {
    if (!(await this.store.threads.delete(project, id))) throw errors.notFound('thread', id);
    await this.onDeleted(id);
    return { id, object: 'thread.deleted', deleted: true };
  }
}

import type { CreateMessageRequest, Thread } from '../api/types.js';
import type { Store } from '../store/store.js';
import type { VectorStoreFileService } from './vector-store-files.js';
import type { VectorStoreService } from './vector-stores.js';

/** OpenAI expires the vector store it makes for a thread's attachments after 7 days without use. */
const THREAD_STORE_EXPIRY_DAYS = 7;

/**
 * Message attachments with the file_search tool go into the thread's vector store, which is created
 * (and set on the thread's tool_resources) when the thread has none. Attachments for
 * code_interpreter need nothing here: the run collects them from the thread's messages.
 */
export class ThreadAttachments {
  constructor(
    private readonly store: Store,
    private readonly vectorStores: VectorStoreService,
    private readonly vectorStoreFiles: VectorStoreFileService,
  ) {}

  /** The thread with its vector store set up for these messages' file_search attachments (not saved). */
  async attach(project: string, thread: Thread, messages: readonly CreateMessageRequest[]): Promise<Thread> {
    const fileIds = [
      ...new Set(
        messages.flatMap((message) =>
          (message.attachments ?? []).flatMap((attachment) =>
            attachment.file_id && (attachment.tools ?? []).some((tool) => tool.type === 'file_search')
              ? [attachment.file_id]
              : [],
          ),
        ),
      ),
    ];
    if (fileIds.length === 0) return thread;
    const existing = thread.tool_resources?.file_search?.vector_store_ids?.[0];
    if (existing !== undefined) {
      for (const fileId of fileIds) {
        if (!(await this.store.vectorStores.getFile(project, existing, fileId))) {
          await this.vectorStoreFiles.create(project, existing, { file_id: fileId });
        }
      }
      return thread;
    }
    const created = await this.vectorStores.create(project, {
      name: `Attachments of ${thread.id}`,
      file_ids: fileIds,
      expires_after: { anchor: 'last_active_at', days: THREAD_STORE_EXPIRY_DAYS },
    });
    return {
      ...thread,
      tool_resources: { ...(thread.tool_resources ?? {}), file_search: { vector_store_ids: [created.id] } },
    };
  }
}

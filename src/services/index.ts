import type { BlobStore } from '../files/blob-store.js';
import type { Store } from '../store/store.js';
import { AssistantService } from './assistants.js';
import { FileService } from './files.js';
import { MessageService } from './messages.js';
import { ThreadService } from './threads.js';
import { UploadService } from './uploads.js';

/** Every service the HTTP routes call, built from the store and blob store they share. */
export interface Services {
  readonly assistants: AssistantService;
  readonly threads: ThreadService;
  readonly messages: MessageService;
  readonly files: FileService;
  readonly uploads: UploadService;
}

export interface ServiceDependencies {
  store: Store;
  blobs: BlobStore;
  maxFileBytes: number;
  maxMessagesPerThread: number;
}

export function createServices({ store, blobs, maxFileBytes, maxMessagesPerThread }: ServiceDependencies): Services {
  const files = new FileService(store, blobs);
  return Object.freeze({
    assistants: new AssistantService(store),
    threads: new ThreadService(store, maxMessagesPerThread),
    messages: new MessageService(store, maxMessagesPerThread),
    files,
    uploads: new UploadService(store, blobs, files, maxFileBytes),
  });
}

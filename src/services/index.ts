import type { BlobStore } from '../files/blob-store.js';
import type { RunEventBus } from '../runs/run-event-bus.js';
import type { Store } from '../store/store.js';
import { AssistantService } from './assistants.js';
import { FileService } from './files.js';
import { MessageService } from './messages.js';
import { RunService, type RunScheduler } from './runs.js';
import { ThreadService } from './threads.js';
import { UploadService } from './uploads.js';

/** Every service the HTTP routes call, built from the store and blob store they share. */
export interface Services {
  readonly assistants: AssistantService;
  readonly threads: ThreadService;
  readonly messages: MessageService;
  readonly files: FileService;
  readonly uploads: UploadService;
  readonly runs: RunService;
  /** Tells stream readers that a run's event log grew. */
  readonly runEvents: RunEventBus;
}

export interface ServiceDependencies {
  store: Store;
  blobs: BlobStore;
  maxFileBytes: number;
  maxMessagesPerThread: number;
  /** Seconds a run may wait for tool outputs (or in the queue) before it expires. */
  runExpiresAfterSeconds: number;
  scheduler: RunScheduler;
  runEvents: RunEventBus;
}

export function createServices(deps: ServiceDependencies): Services {
  const { store, blobs } = deps;
  const files = new FileService(store, blobs);
  const assistants = new AssistantService(store);
  const threads = new ThreadService(store, deps.maxMessagesPerThread);
  return Object.freeze({
    assistants,
    threads,
    messages: new MessageService(store, deps.maxMessagesPerThread),
    files,
    uploads: new UploadService(store, blobs, files, deps.maxFileBytes),
    runs: new RunService(store, assistants, threads, deps.scheduler, deps.runEvents, { expiresAfterSeconds: deps.runExpiresAfterSeconds }),
    runEvents: deps.runEvents,
  });
}

import type { BlobStore } from '../files/blob-store.js';
import type { EmbeddingModel, TokenCountPool } from '../providers/index.js';
import type { Store } from '../store/store.js';
import { AssistantService } from './assistants.js';
import { ContainerService } from './containers.js';
import { ConversationService } from './conversations.js';
import { FileBatchService } from './file-batches.js';
import { FileService } from './files.js';
import { MessageService } from './messages.js';
import { type ModelCatalog, ModelService } from './models.js';
import { ResponseInputTokens } from './response-input-tokens.js';
import { ResponseService } from './responses.js';
import { type RunEngine, RunService } from './runs.js';
import { StorageQuota } from './storage-quota.js';
import { ThreadAttachments } from './thread-attachments.js';
import { ThreadService } from './threads.js';
import { ToolResourceResolver } from './tool-resources.js';
import { UploadService } from './uploads.js';
import { type FileTextExtractor, type IngestionScheduler, VectorStoreFileService } from './vector-store-files.js';
import { VectorStoreSearchService } from './vector-store-search.js';
import { VectorStoreService } from './vector-stores.js';

/** Every service the HTTP routes call, built from the store and blob store they share. */
export interface Services {
  readonly assistants: AssistantService;
  readonly threads: ThreadService;
  readonly messages: MessageService;
  readonly files: FileService;
  readonly uploads: UploadService;
  readonly runs: RunService;
  readonly vectorStores: VectorStoreService;
  readonly vectorStoreFiles: VectorStoreFileService;
  readonly fileBatches: FileBatchService;
  readonly vectorStoreSearch: VectorStoreSearchService;
  readonly models: ModelService;
  readonly containers: ContainerService;
  readonly conversations: ConversationService;
  readonly responses: ResponseService;
  readonly responseInputTokens: ResponseInputTokens;
}

export interface ServiceDependencies {
  store: Store;
  blobs: BlobStore;
  maxFileBytes: number;
  maxMessagesPerThread: number;
  /** Bytes of Files one project may hold, in GB of 1024³ bytes (PROJECT_STORAGE_LIMIT_GB); default 100. */
  projectStorageLimitGb?: number;
  /** Seconds a run may wait for tool outputs (or in the queue) before it expires. */
  runExpiresAfterSeconds: number;
  /** The run writer, the scheduler that executes runs, and the bus streams follow. */
  runEngine: RunEngine;
  ingestion: IngestionScheduler;
  /** Extracts files' text off the event loop: the vector store file content endpoint, `input_file` parts. */
  fileText: FileTextExtractor;
  /** Embeds search queries when vector search is enabled. */
  embeddings: EmbeddingModel | undefined;
  /** Releases what a deleted thread held outside the store (its code_interpreter session). */
  onThreadDeleted?: (threadId: string) => Promise<void>;
  /** Counts tokens off the event loop (`POST /responses/input_tokens`). */
  tokenCounts: TokenCountPool;
  /** The models runs can use (`GET /models`): the provider registry. */
  models: ModelCatalog;
  /** Releases what an expired or deleted container held outside the store (its code_interpreter session). */
  onContainerClosed?: (containerId: string) => Promise<void>;
}

export function createServices(deps: ServiceDependencies): Services {
  const { store, blobs } = deps;
  const vectorStoreFiles = new VectorStoreFileService(store, blobs, deps.ingestion, deps.fileText);
  const quota = new StorageQuota(store.files, deps.projectStorageLimitGb ?? 100);
  const onFileDeleted = (project: string, fileId: string) => vectorStoreFiles.removeEverywhere(project, fileId);
  const files = new FileService(store, blobs, quota, onFileDeleted);
  const vectorStores = new VectorStoreService(store, vectorStoreFiles);
  const toolResources = new ToolResourceResolver(store, vectorStores);
  const assistants = new AssistantService(store, toolResources);
  const attachments = new ThreadAttachments(store, vectorStores, vectorStoreFiles);
  const threads = new ThreadService(store, deps.maxMessagesPerThread, toolResources, attachments, deps.onThreadDeleted);
  const search = {
    index: store.fileSearch,
    vectorStores: store.vectorStores,
    embeddings: deps.embeddings,
    filenames: (project: string, fileIds: readonly string[]) => store.files.filenames(project, fileIds),
  };
  const containers = new ContainerService(store, blobs, { onClosed: deps.onContainerClosed });
  const inputFiles = { blobs, extractor: deps.fileText, maxFileBytes: deps.maxFileBytes };
  return Object.freeze({
    assistants,
    threads,
    vectorStores,
    vectorStoreFiles,
    fileBatches: new FileBatchService(store, vectorStoreFiles),
    vectorStoreSearch: new VectorStoreSearchService(store, vectorStores, search),
    messages: new MessageService(store, deps.maxMessagesPerThread, attachments),
    files,
    uploads: new UploadService(store, blobs, files, deps.maxFileBytes, quota),
    models: new ModelService(deps.models),
    containers,
    responses: new ResponseService(
      store,
      deps.runEngine,
      { vectorStores, containers, inputFiles },
      { maxRowsPerThread: deps.maxMessagesPerThread },
    ),
    responseInputTokens: new ResponseInputTokens(store, deps.tokenCounts, inputFiles),
    conversations: new ConversationService(store, threads, deps.maxMessagesPerThread, inputFiles),
    runs: new RunService(
      store,
      assistants,
      threads,
      deps.runEngine,
      { expiresAfterSeconds: deps.runExpiresAfterSeconds },
      { toolResources, attachments },
    ),
  });
}

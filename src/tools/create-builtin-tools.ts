import type { BlobStore } from '../files/blob-store.js';
import type { Logger } from '../logger.js';
import type { EmbeddingModel } from '../providers/index.js';
import type { Store } from '../store/store.js';
import type { BuiltinTool } from './builtin-tool.js';
import { BubblewrapSandbox } from './code-interpreter/bubblewrap-sandbox.js';
import { createCodeInterpreterTool } from './code-interpreter/code-interpreter-tool.js';
import { containerFiles } from './code-interpreter/container-files.js';
import { projectFiles } from './code-interpreter/project-files.js';
import { CodeSessions, type SessionAffinity } from './code-interpreter/sessions.js';
import { createFileSearchTool } from './file-search/file-search-tool.js';

export interface BuiltinTools {
  tools: BuiltinTool[];
  /** Undefined when no sandbox is available on this machine. */
  sessions: CodeSessions | undefined;
}

/** The configuration the built-in tools read (a slice of the server's Config). */
export interface BuiltinToolSettings {
  codeInterpreterTimeoutMs: number;
  codeInterpreterMemoryMb: number;
  codeInterpreterDiskMb: number;
  codeInterpreterMaxOutputFiles: number;
  codeInterpreterMaxOutputMb: number;
  codeInterpreterDir: string;
  codeInterpreterIdleMs: number;
  fileSearchIngestionWaitMs: number;
}

export interface BuiltinToolDependencies {
  config: BuiltinToolSettings;
  store: Store;
  blobs: BlobStore;
  embeddings: EmbeddingModel | undefined;
  log: Logger;
  /** Several workers on one store: where they learn which one holds a thread's session. */
  sessionAffinity?: SessionAffinity | undefined;
}

const INGESTION_POLL_MS = 100;

/** file_search and code_interpreter, wired to the store, the blob store and (if it works here) the sandbox. */
export async function createBuiltinTools(deps: BuiltinToolDependencies): Promise<BuiltinTools> {
  const { config, store, blobs, log } = deps;
  const sandbox = await BubblewrapSandbox.create({
    timeoutMs: config.codeInterpreterTimeoutMs,
    memoryBytes: config.codeInterpreterMemoryMb * 1024 * 1024,
    diskQuotaBytes: config.codeInterpreterDiskMb * 1024 * 1024,
  });
  if (!sandbox.available)
    log.warn({ reason: sandbox.unavailableReason }, `code_interpreter is unavailable: ${sandbox.unavailableReason}`);
  const sessions = sandbox.available
    ? new CodeSessions({
        sandbox,
        root: config.codeInterpreterDir,
        idleMs: config.codeInterpreterIdleMs,
        ...(deps.sessionAffinity ? { affinity: deps.sessionAffinity } : {}),
      })
    : undefined;

  const fileSearch = createFileSearchTool({
    index: store.fileSearch,
    vectorStores: store.vectorStores,
    embeddings: deps.embeddings,
    filenames: (project, fileIds) => store.files.filenames(project, fileIds),
    awaitIngestion: async (vectorStoreIds, signal) => {
      const deadline = Date.now() + config.fileSearchIngestionWaitMs;
      for (const vectorStoreId of vectorStoreIds) {
        while ((await store.vectorStores.counts(vectorStoreId)).in_progress > 0 && Date.now() < deadline) {
          signal.throwIfAborted();
          await new Promise((resolve) => setTimeout(resolve, INGESTION_POLL_MS));
        }
      }
    },
  });

  const codeInterpreter = createCodeInterpreterTool({
    sessions,
    unavailableReason: sandbox.unavailableReason,
    timeoutMs: config.codeInterpreterTimeoutMs,
    outputLimits: {
      maxFiles: config.codeInterpreterMaxOutputFiles,
      maxBytes: config.codeInterpreterMaxOutputMb * 1024 * 1024,
    },
    files: projectFiles(store, blobs),
    containerFiles: containerFiles(store, blobs),
  });

  return { tools: [fileSearch, codeInterpreter], sessions };
}

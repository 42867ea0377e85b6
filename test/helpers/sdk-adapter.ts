/*
 * What the flow tests of test/sdk-generations.test.ts need from the official SDK, in a form every generation (4.x,
 * 5.x, 7.x) satisfies. The views list only the fields the tests read: each adapter returns its own package's
 * objects, and the compiler checks that those objects have these fields with these types, so a generation whose
 * objects lacked one would not compile rather than pass by a cast.
 */

export interface FileCountsView {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

export interface FileView {
  id: string;
  filename: string;
  bytes: number;
  purpose: string;
}

export interface VectorStoreView {
  id: string;
  status: string;
  file_counts: FileCountsView;
}

/** A vector store file, as `files.createAndPoll` / `files.uploadAndPoll` answer. */
export interface StoreFileView {
  id: string;
  status: string;
  vector_store_id: string;
  last_error: { code: string; message: string } | null;
}

/** A vector store file batch, as `fileBatches.createAndPoll` / `fileBatches.uploadAndPoll` answer. */
export interface BatchView {
  id: string;
  status: string;
  vector_store_id: string;
  file_counts: FileCountsView;
}

export interface RunView {
  id: string;
  thread_id: string;
  status: string;
  required_action: {
    submit_tool_outputs: { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> };
  } | null;
}

export type AnnotationView =
  | { type: 'file_citation'; text: string; start_index: number; end_index: number; file_citation: { file_id: string } }
  | { type: 'file_path'; text: string; start_index: number; end_index: number; file_path: { file_id: string } };

/** An annotation in a `textDelta`: every field may be missing from a delta. */
export interface AnnotationDeltaView {
  index: number;
  type: 'file_citation' | 'file_path';
  text?: string;
  start_index?: number;
  end_index?: number;
  file_citation?: { file_id?: string };
  file_path?: { file_id?: string };
}

export interface TextView {
  value: string;
  annotations: AnnotationView[];
}

/**
 * The SDK's running copy of a streamed text part. Its type says `annotations` is always there, but 4.x and 5.x
 * build it from the deltas alone, so it has them only if a delta sent them.
 */
export interface TextSnapshotView {
  value: string;
  annotations?: AnnotationView[];
}

export interface TextDeltaView {
  value?: string;
  annotations?: AnnotationDeltaView[];
}

export type ContentView =
  | { type: 'text'; text: TextView }
  | { type: 'image_file'; image_file: { file_id: string } }
  | { type: 'image_url' | 'refusal' };

export interface MessageView {
  id: string;
  role: string;
  status: string;
  run_id: string | null;
  content: ContentView[];
}

/** A callback of the SDK's `AssistantStream` the tests listen to, with the fields they read of its arguments. */
interface Listens<Name extends string, Listener> {
  on(name: Name, listener: Listener): unknown;
}

/**
 * The SDK's `AssistantStream` (`runs.stream`, `submitToolOutputsStream`), as far as the tests use it. One object type
 * per callback, intersected: the compiler checks a generic `on<Event>` against each one instantiated for its event,
 * where against overloads it would erase `Event` and accept any listener.
 */
export type AssistantStreamView = Listens<'connect' | 'end', () => void> &
  Listens<'event', (event: { event: string; data: unknown }) => void> &
  Listens<'runStepCreated', (step: { type: string }) => void> &
  Listens<'runStepDone', (step: { type: string; status: string }) => void> &
  Listens<'toolCallCreated' | 'toolCallDone', (call: { type: string }) => void> &
  Listens<'toolCallDelta', (delta: { type: string; code_interpreter?: { input?: string } }) => void> &
  Listens<'messageCreated', (message: { id: string }) => void> &
  Listens<'messageDone', (message: { status: string }) => void> &
  Listens<'textCreated', (text: { value: string }) => void> &
  Listens<'textDelta', (delta: TextDeltaView, snapshot: TextSnapshotView) => void> &
  Listens<'textDone', (text: TextView) => void> &
  Listens<'imageFileDone', (image: { file_id: string }) => void> & {
    finalRun(): Promise<RunView>;
    finalMessages(): Promise<MessageView[]>;
  };

export type ToolParam =
  | { type: 'code_interpreter' }
  | { type: 'file_search' }
  | { type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } };

export interface AssistantParams {
  model: string;
  instructions?: string;
  tools?: ToolParam[];
  tool_resources?: { file_search?: { vector_store_ids?: string[] } };
}

/** A file to upload: its name and its bytes. */
export interface NamedContent {
  name: string;
  content: string | Uint8Array;
}

/**
 * The operations the flows perform, each spelled as its generation spells it (`runs.retrieve(threadId, runId)` in
 * 4.x, `runs.retrieve(runId, { thread_id })` from 5.x; `beta.vectorStores` before 4.87, `vectorStores` from it).
 */
export interface SdkOperations {
  uploadFile(file: NamedContent): Promise<FileView>;
  /** `files.content`: the stored bytes. */
  downloadFile(fileId: string): Promise<Buffer>;
  createVectorStore(name: string): Promise<VectorStoreView>;
  retrieveVectorStore(vectorStoreId: string): Promise<VectorStoreView>;
  createAndPollStoreFile(vectorStoreId: string, fileId: string): Promise<StoreFileView>;
  uploadAndPollStoreFile(vectorStoreId: string, file: NamedContent): Promise<StoreFileView>;
  createAndPollBatch(vectorStoreId: string, fileIds: string[]): Promise<BatchView>;
  uploadAndPollBatch(vectorStoreId: string, files: NamedContent[]): Promise<BatchView>;
  createAssistant(params: AssistantParams): Promise<{ id: string }>;
  /** A thread holding one user message. */
  createThread(text: string): Promise<{ id: string }>;
  createAndPollRun(threadId: string, assistantId: string): Promise<RunView>;
  retrieveRun(threadId: string, runId: string): Promise<RunView>;
  /** The thread's messages, oldest first. */
  listMessages(threadId: string): Promise<MessageView[]>;
  retrieveMessage(threadId: string, messageId: string): Promise<MessageView>;
  streamRun(threadId: string, assistantId: string): AssistantStreamView;
  submitToolOutputsStream(
    threadId: string,
    runId: string,
    outputs: Array<{ tool_call_id: string; output: string }>,
  ): AssistantStreamView;
}

/** One installed generation of the SDK. */
export interface SdkGeneration {
  /** For the test names, e.g. `openai 4.46.1`. */
  readonly label: string;
  /**
   * A client of this generation for a server at `baseURL` (`http://host:port/v1`), without retries and with its own
   * transport (node-fetch in 4.x): what is tested is how each SDK reads the server, so no contract-checking fetch.
   */
  connect(baseURL: string): SdkOperations;
}

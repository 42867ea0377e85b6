import type { Message, MessageContent, RunStep } from '../api/types.js';
import type { ConversationItem, ThreadRow } from '../store/store.js';
import type { StepToolCall } from '../tools/builtin-tool.js';

/**
 * Assistants objects as Responses / Conversations items: a thread's messages as `message` items, a run step's tool
 * calls as `function_call`, `file_search_call` and `code_interpreter_call` items. Pure: everything an item shows
 * comes from the message or step and the options given.
 */

export type { ConversationItem, ThreadRow };

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export type InputTextPart = { type: 'input_text'; text: string };
export type InputImagePart = {
  type: 'input_image';
  file_id: string | null;
  image_url: string | null;
  detail: 'auto' | 'low' | 'high';
};
export type OutputTextPart = { type: 'output_text'; text: string; annotations: ItemAnnotation[]; logprobs: [] };
export type RefusalPart = { type: 'refusal'; refusal: string };

export type ItemAnnotation =
  | { type: 'file_citation'; file_id: string; filename: string; index: number }
  | {
      type: 'container_file_citation';
      container_id: string;
      file_id: string;
      filename: string;
      start_index: number;
      end_index: number;
    }
  | { type: 'file_path'; file_id: string; index: number };

export type MessageItem = {
  id: string;
  type: 'message';
  role: 'user' | 'assistant';
  status: ItemStatus;
  content: Array<InputTextPart | InputImagePart | OutputTextPart | RefusalPart>;
};

export type FunctionCallItem = {
  id: string;
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
  status: ItemStatus;
};

/** A vector store file's attributes (`VectorStoreFileAttributes`). */
export type FileAttributes = Record<string, string | number | boolean>;

/**
 * `text` is left out when the step was shown without result content (see `presentStep`). `attributes` is always an
 * object, as OpenAI sends it (clients such as the Vercel AI SDK refuse a null there). `vector_store_id` is not in
 * OpenAI's result (nor the pinned contract) but the Open Responses spec requires it, nullable; a run step does not
 * record which store a result came from, so it is null.
 */
export type FileSearchResultItem = {
  file_id: string;
  filename: string;
  score: number;
  text?: string;
  attributes: FileAttributes;
  vector_store_id: string | null;
};

export type FileSearchCallItem = {
  id: string;
  type: 'file_search_call';
  status: 'in_progress' | 'searching' | 'completed' | 'incomplete' | 'failed';
  queries: string[];
  results: FileSearchResultItem[] | null;
};

export type CodeInterpreterOutput = { type: 'logs'; logs: string } | { type: 'image'; url: string };

export type CodeInterpreterCallItem = {
  id: string;
  type: 'code_interpreter_call';
  status: 'in_progress' | 'interpreting' | 'completed' | 'incomplete' | 'failed';
  code: string | null;
  container_id: string;
  outputs: CodeInterpreterOutput[] | null;
};

/** The items a response run produces (its `output`). */
export type ResponseItem = MessageItem | FunctionCallItem | FileSearchCallItem | CodeInterpreterCallItem;

/** `include[]` values that add a built-in call's results to its item. */
export const INCLUDE_FILE_SEARCH_RESULTS = 'file_search_call.results';
export const INCLUDE_CODE_INTERPRETER_OUTPUTS = 'code_interpreter_call.outputs';

/** What a message item needs beyond the message: names of cited files, the container files came from. */
export interface MessageItemOptions {
  /** File id → filename for `file_citation` annotations; unknown ids take the name the citation marker shows. */
  filenames?: ReadonlyMap<string, string>;
  /**
   * The response's code_interpreter container: files the code wrote (Assistants `file_path` annotations) are
   * `container_file_citation`s in it. Without one they stay `file_path` annotations.
   */
  containerId?: string | null;
}

export interface StepItemOptions {
  /** The response's `include[]`: `file_search_call.results`, `code_interpreter_call.outputs`. */
  include: readonly string[];
  /** The container code_interpreter ran in; `''` on the item when unknown (the schema requires a string). */
  containerId: string | null;
  /**
   * The queries of a file_search call, by call id. A run step does not record them (only the model's arguments
   * held them); calls without an entry show `[]`.
   */
  fileSearchQueries?: (callId: string) => readonly string[] | undefined;
  /**
   * The attributes of a file a file_search call found, as its vector store file had them when the call searched;
   * `{}` for files without an entry (a run step does not record them).
   */
  fileAttributes?: (fileId: string) => FileAttributes | undefined;
  /**
   * The URL of an image file code_interpreter drew. The schema wants an absolute URI, which only the request's
   * origin gives: routes pass one; the default is the server-relative path of the file's content (`filePath`).
   */
  imageUrl?: (fileId: string) => string;
}

type ToolCallItemType = 'function_call' | 'file_search_call' | 'code_interpreter_call';

const ITEM_ID_PREFIX: Record<ToolCallItemType, string> = {
  function_call: 'fc_',
  file_search_call: 'fs_',
  code_interpreter_call: 'ci_',
};

/**
 * The item id of a tool call, derived from the call id alone (`call_abc` → `fc_abc`), so the stream, the stored
 * rows and a retrieved response agree without keeping the id anywhere.
 */
export function toolCallItemId(type: ToolCallItemType, callId: string): string {
  return ITEM_ID_PREFIX[type] + (callId.startsWith('call_') ? callId.slice('call_'.length) : callId);
}

/** The path of a file's content on this server's Files API (prefix the request's origin for an absolute URL). */
export function fileContentPath(fileId: string): string {
  return `/v1/files/${encodeURIComponent(fileId)}/content`;
}

/** A thread message as a `message` item: same id and role; user content as input parts, assistant as output text. */
export function messageToItem(message: Message, options: MessageItemOptions = {}): MessageItem {
  const content =
    message.role === 'user'
      ? message.content.flatMap((part) => inputPart(part))
      : message.content.flatMap((part) => outputPart(part, options));
  return { id: message.id, type: 'message', role: message.role, status: message.status, content };
}

function inputPart(part: MessageContent): Array<InputTextPart | InputImagePart> {
  switch (part.type) {
    case 'text':
      return [{ type: 'input_text', text: part.text.value }];
    case 'image_file':
      return [
        {
          type: 'input_image',
          file_id: part.image_file.file_id,
          image_url: null,
          detail: part.image_file.detail ?? 'auto',
        },
      ];
    case 'image_url':
      return [
        { type: 'input_image', file_id: null, image_url: part.image_url.url, detail: part.image_url.detail ?? 'auto' },
      ];
    case 'refusal':
      return [{ type: 'input_text', text: part.refusal }];
  }
}

/** Assistant content: text and refusals. Figures (`image_file` parts) are code_interpreter outputs, not message parts. */
function outputPart(part: MessageContent, options: MessageItemOptions): Array<OutputTextPart | RefusalPart> {
  switch (part.type) {
    case 'text':
      return [outputTextPart(part.text.value, part.text.annotations, options)];
    case 'refusal':
      return [{ type: 'refusal', refusal: part.refusal }];
    case 'image_file':
    case 'image_url':
      return [];
  }
}

type AssistantsAnnotation = Extract<MessageContent, { type: 'text' }>['text']['annotations'][number];

export function outputTextPart(
  text: string,
  annotations: readonly AssistantsAnnotation[],
  options: MessageItemOptions = {},
): OutputTextPart {
  return { type: 'output_text', text, annotations: annotations.map((a) => toItemAnnotation(a, options)), logprobs: [] };
}

/**
 * An Assistants annotation as a Responses one. A `file_citation` points at the end of its marker (`index`, as
 * OpenAI's point at where the citation applies; the marker stays in the text); a file the code wrote is a
 * `container_file_citation` spanning its `sandbox:` link when the container is known.
 */
export function toItemAnnotation(annotation: AssistantsAnnotation, options: MessageItemOptions = {}): ItemAnnotation {
  if (annotation.type === 'file_citation') {
    const fileId = annotation.file_citation.file_id;
    return {
      type: 'file_citation',
      file_id: fileId,
      filename: options.filenames?.get(fileId) ?? markerFilename(annotation.text),
      index: annotation.end_index,
    };
  }
  const fileId = annotation.file_path.file_id;
  if (options.containerId) {
    return {
      type: 'container_file_citation',
      container_id: options.containerId,
      file_id: fileId,
      filename: linkFilename(annotation.text),
      start_index: annotation.start_index,
      end_index: annotation.end_index,
    };
  }
  return { type: 'file_path', file_id: fileId, index: annotation.end_index };
}

/** `【0:1†report.pdf】` → `report.pdf`. */
function markerFilename(marker: string): string {
  const match = /†([^【】]*)】$/.exec(marker);
  return match?.[1] ?? marker;
}

/** `sandbox:/mnt/data/out/result.csv` → `result.csv`. */
function linkFilename(link: string): string {
  return link.slice(link.lastIndexOf('/') + 1);
}

/**
 * The items of a run step: none for a `message_creation` step (its message is an item of its own, from
 * `messageToItem`), one per call for a `tool_calls` step, in the step's order.
 */
export function stepToItems(step: RunStep, options: StepItemOptions): ResponseItem[] {
  if (step.step_details.type !== 'tool_calls') return [];
  return step.step_details.tool_calls.map((call) => toolCallToItem(call, step.status, options));
}

/** One call of a `tool_calls` step as an item; `stepStatus` is the status of the step holding it. */
export function toolCallToItem(
  call: StepToolCall,
  stepStatus: RunStep['status'],
  options: StepItemOptions,
): ResponseItem {
  switch (call.type) {
    case 'function':
      return {
        id: toolCallItemId('function_call', call.id),
        type: 'function_call',
        call_id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
        status: stepStatus === 'in_progress' ? 'in_progress' : stepStatus === 'completed' ? 'completed' : 'incomplete',
      };
    case 'file_search': {
      const results = call.file_search.results ?? [];
      return {
        id: toolCallItemId('file_search_call', call.id),
        type: 'file_search_call',
        status: builtinStatus(stepStatus),
        queries: [...(options.fileSearchQueries?.(call.id) ?? [])],
        results: options.include.includes(INCLUDE_FILE_SEARCH_RESULTS)
          ? results.map((result) => ({
              file_id: result.file_id,
              filename: result.file_name,
              score: result.score,
              ...(result.content ? { text: result.content.map((part) => part.text ?? '').join('\n') } : {}),
              attributes: { ...(options.fileAttributes?.(result.file_id) ?? {}) },
              vector_store_id: null,
            }))
          : null,
      };
    }
    case 'code_interpreter': {
      const imageUrl = options.imageUrl ?? fileContentPath;
      return {
        id: toolCallItemId('code_interpreter_call', call.id),
        type: 'code_interpreter_call',
        status: builtinStatus(stepStatus),
        code: call.code_interpreter.input,
        container_id: options.containerId ?? '',
        outputs: options.include.includes(INCLUDE_CODE_INTERPRETER_OUTPUTS)
          ? call.code_interpreter.outputs.map(
              (output): CodeInterpreterOutput =>
                output.type === 'logs'
                  ? { type: 'logs', logs: output.logs }
                  : { type: 'image', url: imageUrl(output.image.file_id) },
            )
          : null,
      };
    }
  }
}

function builtinStatus(stepStatus: RunStep['status']): 'in_progress' | 'completed' | 'incomplete' | 'failed' {
  switch (stepStatus) {
    case 'in_progress':
      return 'in_progress';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    default:
      return 'incomplete';
  }
}

/**
 * A response's `output`: its run's steps in order (oldest first), a `message_creation` step as its message's item
 * (skipped if the message is not given), a `tool_calls` step as its calls' items. The same order the stream
 * translator gives the items, so a retrieved response and its stream agree.
 */
export function responseOutput(
  steps: readonly RunStep[],
  messages: ReadonlyMap<string, Message>,
  options: StepItemOptions & MessageItemOptions,
): ResponseItem[] {
  return steps.flatMap((step): ResponseItem[] => {
    if (step.step_details.type !== 'message_creation') return stepToItems(step, options);
    const message = messages.get(step.step_details.message_creation.message_id);
    return message ? [messageToItem(message, options)] : [];
  });
}

/** A thread row as a Conversations item: messages through `messageToItem`, other items as stored. */
export function rowToItem(row: ThreadRow, options: MessageItemOptions = {}): ConversationItem {
  return row.kind === 'message' ? messageToItem(row.message, options) : row.item;
}

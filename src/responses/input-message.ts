import type { Message, MessageContent } from '../api/types.js';
import { errors } from '../errors.js';
import { newId } from '../ids.js';
import type { ThreadRow } from '../store/store.js';
import {
  describe,
  type JsonObject,
  optionalString,
  requireObject,
  requireOneOf,
  requireString,
} from './input-fields.js';
import { type InputFileText, inputFilePrompt } from './input-file.js';
import type { InputImagePart, InputTextPart } from './items.js';

/**
 * A `message` input item as a thread row. User and assistant messages become Assistants messages (the Assistants API
 * sees them, as if posted to `/threads/{id}/messages`); system and developer messages, which a thread cannot hold,
 * are kept as `message` items.
 */

const ROLES = ['user', 'assistant', 'system', 'developer'] as const;
type Role = (typeof ROLES)[number];

/**
 * Content parts the server takes, by role; `input_audio` exists in OpenAI's API but not here. An `input_file` part
 * reaches the model as its text (see input-file.ts).
 */
const PARTS_BY_ROLE: Record<Role, readonly string[]> = {
  user: ['input_text', 'input_image', 'input_file'],
  system: ['input_text', 'input_image', 'input_file'],
  developer: ['input_text', 'input_image', 'input_file'],
  assistant: ['output_text', 'refusal', 'input_text'],
};
const UNSERVED_PARTS = new Set(['input_audio']);

/** Reads an `input_file` part's text (`param` names the part); absent where files cannot be read. */
export type InputFileReader = (part: JsonObject, param: string) => Promise<InputFileText>;

/** One input part in both forms: the Assistants one (for messages) and the item one (for system/developer items). */
type ConvertedPart = { message: MessageContent; item: InputTextPart | InputImagePart };

export interface MessageRow {
  row: ThreadRow;
  /** Files the message's `input_image` parts name, each with its param (they must be files of the project). */
  files: Array<{ fileId: string; param: string }>;
}

export async function messageItemToRow(
  item: JsonObject,
  param: string,
  threadId: string,
  createdAt: number,
  readFile?: InputFileReader,
): Promise<MessageRow> {
  const role = requireOneOf(item.role, ROLES, `${param}.role`);
  const parts = await contentParts(item.content, role, `${param}.content`, readFile);
  const files = parts.flatMap((part, index) =>
    part.message.type === 'image_file'
      ? [{ fileId: part.message.image_file.file_id, param: `${param}.content[${index}].file_id` }]
      : [],
  );
  if (role === 'system' || role === 'developer') {
    const content = parts.map((part) => part.item);
    return {
      row: { kind: 'item', item: { id: newId('msg_'), type: 'message', role, status: 'completed', content } },
      files,
    };
  }
  return { row: { kind: 'message', message: toMessage(parts, role, threadId, createdAt) }, files };
}

/** As `buildMessage` (services/message-content.ts) makes a posted message: complete on arrival, of no run. */
function toMessage(parts: ConvertedPart[], role: 'user' | 'assistant', threadId: string, createdAt: number): Message {
  return {
    id: newId('msg_'),
    object: 'thread.message',
    created_at: createdAt,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: createdAt,
    incomplete_at: null,
    role,
    content: parts.map((part) => part.message),
    assistant_id: null,
    run_id: null,
    attachments: [],
    metadata: {},
  };
}

async function contentParts(
  content: unknown,
  role: Role,
  param: string,
  readFile: InputFileReader | undefined,
): Promise<ConvertedPart[]> {
  if (typeof content === 'string') return [textPart(content)];
  if (!Array.isArray(content)) {
    if (content === undefined || content === null) throw errors.missingParameter(param);
    throw errors.invalidType(param, 'a string or an array', describe(content));
  }
  if (content.length === 0) throw errors.arrayTooShort(param, 1, 0);
  const parts: ConvertedPart[] = [];
  // One at a time: each file is extracted by the ingestion processes, which other requests share.
  for (const [index, part] of content.entries()) {
    parts.push(await contentPart(requireObject(part, `${param}[${index}]`), role, `${param}[${index}]`, readFile));
  }
  return parts;
}

async function contentPart(
  part: JsonObject,
  role: Role,
  param: string,
  readFile: InputFileReader | undefined,
): Promise<ConvertedPart> {
  const allowed = readFile ? PARTS_BY_ROLE[role] : PARTS_BY_ROLE[role].filter((type) => type !== 'input_file');
  const unserved = UNSERVED_PARTS.has(part.type as string) || (part.type === 'input_file' && !readFile);
  if (unserved) throw errors.unservedInputType(`${param}.type`, 'Content parts', part.type as string, allowed);
  const type = requireOneOf(part.type, allowed, `${param}.type`);
  switch (type) {
    case 'input_file':
      return textPart(inputFilePrompt(await readFile!(part, param)));
    case 'input_text':
    case 'output_text':
      return textPart(requireString(part, 'text', param));
    case 'refusal': {
      const refusal = requireString(part, 'refusal', param);
      return { message: { type: 'refusal', refusal }, item: { type: 'input_text', text: refusal } };
    }
    default:
      return imagePart(part, param);
  }
}

function textPart(text: string): ConvertedPart {
  return { message: { type: 'text', text: { value: text, annotations: [] } }, item: { type: 'input_text', text } };
}

/** `detail: 'original'` has no Assistants counterpart; `high` is the closest. */
function imagePart(part: JsonObject, param: string): ConvertedPart {
  const given = part.detail === undefined || part.detail === null ? 'auto' : part.detail;
  const chosen = requireOneOf(given, ['auto', 'low', 'high', 'original'], `${param}.detail`);
  const detail = chosen === 'original' ? 'high' : chosen;
  const fileId = optionalString(part, 'file_id', param);
  const imageUrl = optionalString(part, 'image_url', param);
  if (fileId !== undefined && imageUrl !== undefined) throw errors.unknownParameter(`${param}.image_url`);
  if (fileId !== undefined) {
    return {
      message: { type: 'image_file', image_file: { file_id: fileId, detail } },
      item: { type: 'input_image', file_id: fileId, image_url: null, detail },
    };
  }
  if (imageUrl === undefined) throw errors.missingParameter(`${param}.image_url`);
  if (!URL.canParse(imageUrl)) throw errors.invalidFormat(`${param}.image_url`, 'uri');
  return {
    message: { type: 'image_url', image_url: { url: imageUrl, detail } },
    item: { type: 'input_image', file_id: null, image_url: imageUrl, detail },
  };
}

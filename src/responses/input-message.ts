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
import type { InputImagePart, InputTextPart } from './items.js';

/**
 * A `message` input item as a thread row. User and assistant messages become Assistants messages (the Assistants API
 * sees them, as if posted to `/threads/{id}/messages`); system and developer messages, which a thread cannot hold,
 * are kept as `message` items.
 */

const ROLES = ['user', 'assistant', 'system', 'developer'] as const;
type Role = (typeof ROLES)[number];

/** Content parts the server takes, by role; `input_file` and `input_audio` exist in OpenAI's API but not here. */
const PARTS_BY_ROLE: Record<Role, readonly string[]> = {
  user: ['input_text', 'input_image'],
  system: ['input_text', 'input_image'],
  developer: ['input_text', 'input_image'],
  assistant: ['output_text', 'refusal', 'input_text'],
};
const UNSERVED_PARTS = new Set(['input_file', 'input_audio']);

/** One input part in both forms: the Assistants one (for messages) and the item one (for system/developer items). */
type ConvertedPart = { message: MessageContent; item: InputTextPart | InputImagePart };

export interface MessageRow {
  row: ThreadRow;
  /** Files the message's `input_image` parts name, each with its param (they must be files of the project). */
  files: Array<{ fileId: string; param: string }>;
}

export function messageItemToRow(item: JsonObject, param: string, threadId: string, createdAt: number): MessageRow {
  const role = requireOneOf(item.role, ROLES, `${param}.role`);
  const parts = contentParts(item.content, role, `${param}.content`);
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

function contentParts(content: unknown, role: Role, param: string): ConvertedPart[] {
  if (typeof content === 'string') return [textPart(content)];
  if (!Array.isArray(content)) {
    if (content === undefined || content === null) throw errors.missingParameter(param);
    throw errors.invalidType(param, 'a string or an array', describe(content));
  }
  if (content.length === 0) throw errors.arrayTooShort(param, 1, 0);
  return content.map((part, index) =>
    contentPart(requireObject(part, `${param}[${index}]`), role, `${param}[${index}]`),
  );
}

function contentPart(part: JsonObject, role: Role, param: string): ConvertedPart {
  const allowed = PARTS_BY_ROLE[role];
  if (typeof part.type === 'string' && UNSERVED_PARTS.has(part.type)) {
    throw errors.unservedInputType(`${param}.type`, 'Content parts', part.type, allowed);
  }
  const type = requireOneOf(part.type, allowed, `${param}.type`);
  switch (type) {
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

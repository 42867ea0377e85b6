import type { CreateMessageRequest, Message, MessageAttachment, MessageContent } from '../api/types.js';

/** A message's request content (a string or request parts) in its stored, response form. */
export function toMessageContent(content: CreateMessageRequest['content']): MessageContent[] {
  if (typeof content === 'string') return [textPart(content)];
  return content.map(toContentPart);
}

function toContentPart(part: Exclude<CreateMessageRequest['content'], string>[number]): MessageContent {
  switch (part.type) {
    case 'text':
      return textPart(part.text);
    case 'image_file':
      return { type: 'image_file', image_file: { ...part.image_file, detail: part.image_file.detail ?? 'auto' } };
    case 'image_url':
      return { type: 'image_url', image_url: { ...part.image_url, detail: part.image_url.detail ?? 'auto' } };
  }
}

/** The file ids a message refers to: image parts and attachments. */
export function referencedFileIds(request: CreateMessageRequest): { images: string[]; attachments: string[] } {
  const images =
    typeof request.content === 'string'
      ? []
      : request.content.flatMap((part) => (part.type === 'image_file' ? [part.image_file.file_id] : []));
  const attachments = (request.attachments ?? []).map((attachment) => attachment.file_id ?? '');
  return { images, attachments };
}

export function toAttachments(request: CreateMessageRequest): MessageAttachment[] {
  return (request.attachments ?? []).map((attachment) => ({
    file_id: attachment.file_id,
    tools: attachment.tools ?? [],
  }));
}

export interface NewMessage {
  threadId: string;
  request: CreateMessageRequest;
  createdAt: number;
  id: string;
}

/** A user- or API-created message: complete on arrival, not part of any run. */
export function buildMessage({ threadId, request, createdAt, id }: NewMessage): Message {
  return {
    id,
    object: 'thread.message',
    created_at: createdAt,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: createdAt,
    incomplete_at: null,
    role: request.role,
    content: toMessageContent(request.content),
    assistant_id: null,
    run_id: null,
    attachments: toAttachments(request),
    metadata: request.metadata ?? {},
  };
}

function textPart(value: string): MessageContent {
  return { type: 'text', text: { value, annotations: [] } };
}

import { useState } from 'preact/hooks';
import type { Assistant, MessageContentPartParam } from '../api/types.js';
import { FileUpload } from '../components/file-upload.js';
import type { OutgoingMessage } from './use-thread.js';

type Image = { kind: 'file'; fileId: string; name: string } | { kind: 'url'; url: string };
type Attachment = { fileId: string; name: string; fileSearch: boolean; codeInterpreter: boolean };

function toMessage(text: string, images: Image[], attachments: Attachment[]): OutgoingMessage {
  const content: MessageContentPartParam[] = [
    ...(text.trim() === '' ? [] : [{ type: 'text' as const, text }]),
    ...images.map(
      (image): MessageContentPartParam =>
        image.kind === 'file'
          ? { type: 'image_file', image_file: { file_id: image.fileId } }
          : { type: 'image_url', image_url: { url: image.url } },
    ),
  ];
  return {
    content,
    attachments: attachments.map((attachment) => ({
      file_id: attachment.fileId,
      tools: [
        ...(attachment.fileSearch ? [{ type: 'file_search' as const }] : []),
        ...(attachment.codeInterpreter ? [{ type: 'code_interpreter' as const }] : []),
      ],
    })),
  };
}

/** The user's next message: text, images (uploaded or by URL) and attachments for the assistant's tools. */
export function Composer({
  assistant,
  busy,
  onSend,
}: {
  assistant: Assistant;
  busy: boolean;
  onSend: (message: OutgoingMessage, title: string) => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [images, setImages] = useState<Image[]>([]);
  const [imageUrl, setImageUrl] = useState('');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const hasTool = (type: string) => assistant.tools.some((tool) => tool.type === type);
  const empty = text.trim() === '' && images.length === 0;

  const send = async () => {
    if (busy || empty) return;
    const message = toMessage(text, images, attachments);
    setText('');
    setImages([]);
    setAttachments([]);
    await onSend(message, text.trim().slice(0, 60) || 'Image');
  };

  return (
    <form
      class="composer"
      aria-label="New message"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      {(images.length > 0 || attachments.length > 0) && (
        <ul class="chips" aria-label="To send with the message">
          {images.map((image, index) => (
            <li key={image.kind === 'file' ? image.fileId : image.url}>
              Image: {image.kind === 'file' ? image.name : image.url}
              <button
                type="button"
                class="secondary"
                onClick={() => setImages((current) => current.filter((_, at) => at !== index))}
              >
                Remove image {index + 1}
              </button>
            </li>
          ))}
          {attachments.map((attachment, index) => (
            <li key={attachment.fileId}>
              File: {attachment.name}
              <label class="inline">
                <input
                  type="checkbox"
                  checked={attachment.fileSearch}
                  onChange={(event) => {
                    const fileSearch = event.currentTarget.checked;
                    setAttachments((current) =>
                      current.map((item, at) => (at === index ? { ...item, fileSearch } : item)),
                    );
                  }}
                />
                file_search
              </label>
              <label class="inline">
                <input
                  type="checkbox"
                  checked={attachment.codeInterpreter}
                  onChange={(event) => {
                    const codeInterpreter = event.currentTarget.checked;
                    setAttachments((current) =>
                      current.map((item, at) => (at === index ? { ...item, codeInterpreter } : item)),
                    );
                  }}
                />
                code_interpreter
              </label>
            </li>
          ))}
        </ul>
      )}
      <label>
        Message
        <textarea
          rows={3}
          value={text}
          placeholder="Enter sends, Shift+Enter starts a new line"
          onInput={(event) => setText(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              void send();
            }
          }}
        />
      </label>
      <div class="composer-tools">
        <FileUpload
          label="Attach files"
          purpose="assistants"
          onUploaded={(file) =>
            setAttachments((current) => [
              ...current,
              {
                fileId: file.id,
                name: file.filename,
                fileSearch: hasTool('file_search') || !hasTool('code_interpreter'),
                codeInterpreter: hasTool('code_interpreter'),
              },
            ])
          }
        />
        <FileUpload
          label="Add images"
          purpose="vision"
          accept="image/png,image/jpeg,image/gif,image/webp"
          onUploaded={(file) =>
            setImages((current) => [...current, { kind: 'file', fileId: file.id, name: file.filename }])
          }
        />
        <div class="row">
          <label>
            Image URL
            <input type="url" value={imageUrl} onInput={(event) => setImageUrl(event.currentTarget.value)} />
          </label>
          <button
            type="button"
            class="secondary"
            disabled={!URL.canParse(imageUrl)}
            onClick={() => {
              setImages((current) => [...current, { kind: 'url', url: imageUrl }]);
              setImageUrl('');
            }}
          >
            Add image URL
          </button>
        </div>
      </div>
      <button type="submit" disabled={busy || empty}>
        Send
      </button>
    </form>
  );
}

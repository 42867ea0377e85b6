import type { Message } from '../api/types.js';
import { FileImage } from '../components/file-image.js';
import { FileName } from '../files/file-name.js';
import { MessageText } from './message-text.js';

/** One message: its parts in order (text, images from files or URLs) and the files attached to it. */
export function MessageView({ message, threadId }: { message: Message; threadId: string }) {
  const author = message.role === 'user' ? 'You' : 'Assistant';
  return (
    <article class={`message message-${message.role}`} aria-label={`${author} message`}>
      <header>
        <strong>{author}</strong>
        {message.status === 'in_progress' && <span class="muted"> writing…</span>}
        {message.status === 'incomplete' && <span class="muted"> (incomplete)</span>}
      </header>
      {message.content.map((part, index) => {
        const key = `${message.id}-${index}`;
        switch (part.type) {
          case 'text':
            return (
              <MessageText
                key={key}
                messageId={message.id}
                threadId={threadId}
                runId={message.run_id}
                complete={message.status !== 'in_progress'}
                text={part.text}
              />
            );
          case 'image_file':
            return (
              <FileImage
                key={key}
                fileId={part.image_file.file_id}
                alt={`Figure ${index + 1} of the ${author === 'You' ? 'question' : 'answer'}`}
              />
            );
          case 'image_url':
            return <img key={key} class="file-image" src={part.image_url.url} alt={`From ${part.image_url.url}`} />;
          default:
            return null;
        }
      })}
      {(message.attachments ?? []).length > 0 && (
        <ul class="attachments" aria-label="Attachments">
          {(message.attachments ?? []).map((attachment) => (
            <li key={attachment.file_id}>
              Attached: <FileName fileId={attachment.file_id ?? ''} />{' '}
              <span class="muted">({(attachment.tools ?? []).map((tool) => tool.type).join(', ')})</span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

import { useEffect, useRef } from 'preact/hooks';
import { rememberThread } from '../api/thread-history.js';
import type { Assistant } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';
import { THREADS_CHANGED } from '../threads/thread-list.js';
import { Composer } from './composer.js';
import { MessageView } from './message-view.js';
import { RunPanel } from './run-panel.js';
import { ToolOutputsForm } from './tool-outputs-form.js';
import { isActive, useThread } from './use-thread.js';

/** A thread with the assistant: the messages, what to send next, and the latest run beside them. */
export function ChatView({ assistant, threadId }: { assistant: Assistant; threadId: string | undefined }) {
  const { client } = useSession();
  const thread = useThread(client, threadId);
  const end = useRef<HTMLDivElement>(null);
  const lastMessage = thread.messages.at(-1);
  const lastText = JSON.stringify(lastMessage?.content ?? null).length;

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [thread.messages.length, lastText]);

  const waiting =
    thread.run?.status === 'requires_action' ? (thread.run.required_action?.submit_tool_outputs.tool_calls ?? []) : [];
  const busy = thread.streaming || isActive(thread.run) || waiting.length > 0;

  return (
    <div class="chat-layout">
      <section class="chat" aria-label="Chat">
        {threadId !== undefined && <p class="muted mono">{threadId}</p>}
        <div class="messages" role="log" aria-label="Messages">
          {thread.messages.length === 0 && <p class="muted">Send a message to start a thread with this assistant.</p>}
          {thread.messages.map((message) => (
            <MessageView key={message.id} message={message} threadId={message.thread_id} />
          ))}
          <div ref={end} />
        </div>
        {waiting.length > 0 && !thread.streaming && (
          <ToolOutputsForm key={thread.run?.id} calls={waiting} onSubmit={thread.submitToolOutputs} />
        )}
        <ErrorMessage message={thread.error} />
        <Composer
          assistant={assistant}
          busy={busy}
          onSend={(message, title) =>
            thread.send(assistant.id, message, (createdId) => {
              rememberThread(assistant.id, { id: createdId, title, createdAt: Math.floor(Date.now() / 1000) });
              window.dispatchEvent(new Event(THREADS_CHANGED));
              navigate({ page: 'assistants', assistant: assistant.id, thread: createdId });
            })
          }
        />
      </section>
      <RunPanel run={thread.run} steps={thread.steps} onCancel={() => void thread.cancel()} />
    </div>
  );
}

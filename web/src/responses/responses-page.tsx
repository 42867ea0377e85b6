import { useState } from 'preact/hooks';
import type { ResponseInputItem, ResponseOutputItem } from '../api/types.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';
import { EventLog } from './event-log.js';
import { FunctionOutputsForm } from './function-outputs-form.js';
import { OutputItemView } from './output-item-view.js';
import { RequestForm } from './request-form.js';
import { EMPTY_DRAFT, type ResponseDraft, toCreateParams } from './response-draft.js';
import { ResponseList } from './response-list.js';
import { ResponseSummary } from './response-summary.js';
import { useResponseStream } from './use-response-stream.js';

type FunctionCall = Extract<ResponseOutputItem, { type: 'function_call' }>;

/** The Responses API tried by hand: a request on the left, its items and events streaming in on the right. */
export function ResponsesPage() {
  const { client } = useSession();
  const [draft, setDraft] = useState<ResponseDraft>(EMPTY_DRAFT);
  const stream = useResponseStream(client);
  const { response, items, events } = stream.live;
  const change = (next: Partial<ResponseDraft>) => setDraft((current) => ({ ...current, ...next }));

  const send = () => {
    const input = draft.input;
    change({ input: '' });
    void stream.send(toCreateParams(draft, input), input.trim().slice(0, 60));
  };

  /** The settings that continue `response`: its conversation when it had one, else a chain from it. */
  const continuing = (): Partial<ResponseDraft> =>
    response?.conversation
      ? { conversationId: response.conversation.id, previousResponseId: '' }
      : { previousResponseId: response?.id ?? '', conversationId: '' };

  // The outputs continue the shown response; the form keeps its own chain settings for the next typed input.
  const submitOutputs = (input: ResponseInputItem[]) =>
    stream.send(toCreateParams({ ...draft, ...continuing() }, input), 'Function outputs');

  const calls = items.filter((item): item is FunctionCall => item.type === 'function_call');
  const settled = response !== null && response.status === 'completed' && !stream.streaming;

  return (
    <div class="two-columns">
      <aside class="sidebar">
        <ResponseList
          selectedId={response?.id}
          onRetrieve={(responseId) => void stream.show(responseId)}
          onDeleted={(responseId) => responseId === response?.id && stream.clear()}
        />
      </aside>
      <div class="workspace responses-layout">
        <RequestForm draft={draft} busy={stream.streaming} onChange={change} onSend={send} />
        <section class="response-view" aria-label="Output">
          {response === null && !stream.streaming && stream.error === null && (
            <p class="muted">Send an input to see the response's items and events as they stream.</p>
          )}
          {response !== null && (
            <ResponseSummary
              response={response}
              onContinue={() => change(continuing())}
              onReplay={events.length === 0 && !stream.streaming ? () => void stream.replay(response.id) : null}
              onCancel={() => void stream.cancel()}
            />
          )}
          <ErrorMessage message={stream.error ?? stream.live.error} />
          <div class="output-items" role="log" aria-label="Output items">
            {items.map((item, index) => (
              <OutputItemView key={index} item={item} />
            ))}
          </div>
          {settled && calls.length > 0 && (
            <FunctionOutputsForm key={response.id} calls={calls} busy={stream.streaming} onSubmit={submitOutputs} />
          )}
          {(response !== null || events.length > 0) && <EventLog events={events} />}
        </section>
      </div>
    </div>
  );
}

import { ModelPicker } from '../assistants/model-picker.js';
import { ConversationPicker } from './conversation-picker.js';
import { draftProblems, type ResponseDraft } from './response-draft.js';
import { ResponseToolsSettings } from './response-tools-settings.js';

/** Everything a response is made from: model, instructions, input, tools and the options that chain or keep it. */
export function RequestForm({
  draft,
  busy,
  onChange,
  onSend,
}: {
  draft: ResponseDraft;
  busy: boolean;
  onChange: (change: Partial<ResponseDraft>) => void;
  onSend: () => void;
}) {
  const problems = draftProblems(draft);
  const canSend = !busy && problems.length === 0 && draft.input.trim() !== '';
  const send = () => {
    if (canSend) onSend();
  };
  return (
    <form
      class="request-form"
      aria-label="New response"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <ModelPicker value={draft.model} onChange={(model) => onChange({ model })} />
      <label>
        Instructions
        <textarea
          rows={2}
          value={draft.instructions}
          onInput={(event) => onChange({ instructions: event.currentTarget.value })}
        />
      </label>
      <label>
        Input
        <textarea
          rows={3}
          value={draft.input}
          placeholder="Enter sends, Shift+Enter starts a new line"
          onInput={(event) => onChange({ input: event.currentTarget.value })}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
      </label>
      <ResponseToolsSettings draft={draft} onChange={onChange} />
      <fieldset>
        <legend>Options</legend>
        <label class="inline">
          <input
            type="checkbox"
            checked={draft.store}
            onChange={(event) => onChange({ store: event.currentTarget.checked })}
          />
          store
        </label>
        <label class="inline">
          <input
            type="checkbox"
            checked={draft.background}
            onChange={(event) => onChange({ background: event.currentTarget.checked })}
          />
          background
        </label>
        <div class="row">
          <label>
            Previous response
            <input
              class="mono"
              value={draft.previousResponseId}
              placeholder="None"
              onInput={(event) => onChange({ previousResponseId: event.currentTarget.value })}
            />
          </label>
          {draft.previousResponseId !== '' && (
            <button type="button" class="secondary" onClick={() => onChange({ previousResponseId: '' })}>
              Start fresh
            </button>
          )}
        </div>
        <ConversationPicker value={draft.conversationId} onChange={(conversationId) => onChange({ conversationId })} />
      </fieldset>
      {problems.length > 0 && (
        <ul class="problems" aria-label="Before sending">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <button type="submit" disabled={!canSend}>
        Send
      </button>
    </form>
  );
}

import type { Response } from '../api/types.js';

const ACTIVE = new Set(['queued', 'in_progress']);

/** The response's status, id, model and token usage, with what can be done next from it. */
export function ResponseSummary({
  response,
  onContinue,
  onReplay,
  onCancel,
}: {
  response: Response;
  onContinue: () => void;
  /** Offered when the events are not shown (a retrieved response). */
  onReplay: (() => void) | null;
  onCancel: () => void;
}) {
  const status = response.status ?? 'in_progress';
  const usage = response.usage;
  return (
    <section class="response-summary" aria-label="Response">
      <p>
        <span class={`status status-${status}`} role="status">
          {status}
        </span>{' '}
        <small class="mono">{response.id}</small>
      </p>
      <dl class="facts">
        <dt>Model</dt>
        <dd>{response.model}</dd>
        {response.previous_response_id && (
          <>
            <dt>Previous</dt>
            <dd class="mono">{response.previous_response_id}</dd>
          </>
        )}
        {response.conversation && (
          <>
            <dt>Conversation</dt>
            <dd class="mono">{response.conversation.id}</dd>
          </>
        )}
      </dl>
      {response.error && (
        <p class="error">
          {response.error.code}: {response.error.message}
        </p>
      )}
      {response.incomplete_details && <p class="error">Incomplete: {response.incomplete_details.reason}</p>}
      {usage && (
        <p class="usage">
          Tokens: {usage.input_tokens} in, {usage.output_tokens} out, {usage.total_tokens} total
        </p>
      )}
      <div class="editor-actions">
        {!ACTIVE.has(status) && (
          <button type="button" class="secondary" onClick={onContinue}>
            Continue from this response
          </button>
        )}
        {onReplay !== null && (
          <button type="button" class="secondary" onClick={onReplay}>
            Replay its events
          </button>
        )}
        {ACTIVE.has(status) && response.background && (
          <button type="button" class="danger" onClick={onCancel}>
            Cancel response
          </button>
        )}
      </div>
    </section>
  );
}

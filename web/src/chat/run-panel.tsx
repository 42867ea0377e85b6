import type { Run, RunStep } from '../api/types.js';
import { ToolCallView } from './tool-call-view.js';
import { isActive } from './use-thread.js';

function seconds(from: number | null | undefined, to: number | null | undefined): string {
  if (from === null || from === undefined || to === null || to === undefined) return '…';
  return `${Math.max(0, to - from)} s`;
}

function endOf(run: Run): number | null {
  return run.completed_at ?? run.failed_at ?? run.cancelled_at ?? null;
}

function Usage({ usage }: { usage: Run['usage'] | RunStep['usage'] }) {
  if (usage === null || usage === undefined) return null;
  return (
    <p class="usage">
      Tokens: {usage.prompt_tokens} in, {usage.completion_tokens} out, {usage.total_tokens} total
    </p>
  );
}

/** The latest run of the thread, live: status, timings, token usage and each step with its tool calls. */
export function RunPanel({ run, steps, onCancel }: { run: Run | null; steps: RunStep[]; onCancel: () => void }) {
  return (
    <aside class="run-panel" aria-label="Run">
      <h2>Run</h2>
      {run === null ? (
        <p class="muted">No run on this thread yet.</p>
      ) : (
        <>
          <p>
            <span class={`status status-${run.status}`} role="status">
              {run.status}
            </span>{' '}
            <small class="mono">{run.id}</small>
          </p>
          {isActive(run) && (
            <button type="button" class="danger" onClick={onCancel}>
              Cancel run
            </button>
          )}
          <dl class="facts">
            <dt>Model</dt>
            <dd>{run.model}</dd>
            <dt>Waited</dt>
            <dd>{seconds(run.created_at, run.started_at ?? endOf(run))}</dd>
            <dt>Ran</dt>
            <dd>{isActive(run) ? '…' : seconds(run.started_at, endOf(run))}</dd>
          </dl>
          {run.last_error && (
            <p class="error">
              {run.last_error.code}: {run.last_error.message}
            </p>
          )}
          {run.incomplete_details && <p class="error">Incomplete: {run.incomplete_details.reason}</p>}
          <Usage usage={run.usage} />
          <h3>Steps</h3>
          <ol class="steps" aria-label="Run steps">
            {steps.map((step) => (
              <li key={step.id} class="step">
                <p>
                  <strong>{step.step_details.type === 'tool_calls' ? 'Tool calls' : 'Message'}</strong>{' '}
                  <span class={`status status-${step.status}`}>{step.status}</span>{' '}
                  <span class="muted">{seconds(step.created_at, step.completed_at)}</span>
                </p>
                {step.step_details.type === 'tool_calls' &&
                  step.step_details.tool_calls.map((call) => <ToolCallView key={call.id} call={call} />)}
                {step.last_error && <p class="error">{step.last_error.message}</p>}
                <Usage usage={step.usage} />
              </li>
            ))}
          </ol>
        </>
      )}
    </aside>
  );
}

import type { Message, Run, RunStep } from '../api/types.js';
import { nowSeconds } from '../ids.js';
import type { RunChanges, StoredRun } from '../store/run-repository.js';
import { messageEvent, runStatusEvent, stepEvent } from './run-events.js';
import type { RunLoopDependencies } from './run-loop.js';
import { endStep, incompleteMessage, toUsage } from './run-objects.js';

const INTERRUPTED = 'The run was interrupted because the server stopped while it was in progress.';

/**
 * Ends a run whose worker died: `cancelling` becomes `cancelled`, `in_progress` becomes `failed`
 * with a `last_error`. Its open steps and messages end with it; text already streamed is kept.
 */
export async function recoverRun(deps: RunLoopDependencies, orphan: StoredRun): Promise<void> {
  const { store } = deps;
  const runId = orphan.run.id;
  const [steps, messages, deltas] = await Promise.all([
    store.runs.listSteps(orphan.project, orphan.run.thread_id, runId, { limit: 100, order: 'desc' }),
    store.messages.list(orphan.project, orphan.run.thread_id, { limit: 100, order: 'desc' }, { runId }),
    store.runs.events(runId, 0, 100_000),
  ]);
  const streamedText = textByMessage(deltas);
  await deps.writer.commit(runId, (current) => {
    const status = current.run.status;
    if (status !== 'in_progress' && status !== 'cancelling') return undefined;
    const cancelled = status === 'cancelling';
    const now = nowSeconds();
    const run: Run = {
      ...current.run,
      status: cancelled ? 'cancelled' : 'failed',
      cancelled_at: cancelled ? now : current.run.cancelled_at,
      failed_at: cancelled ? current.run.failed_at : now,
      last_error: cancelled ? current.run.last_error : { code: 'server_error', message: INTERRUPTED },
      expires_at: null,
      usage: toUsage(current.state.usedTokens),
    };
    const changes: RunChanges = { run, steps: [], messages: [], events: [] };
    for (const message of messages.data.filter((candidate) => candidate.status === 'in_progress')) {
      const ended: Message = incompleteMessage(
        message,
        streamedText.get(message.id) ?? '',
        cancelled ? 'run_cancelled' : 'run_failed',
      );
      changes.messages!.push(ended);
      changes.events.push(messageEvent(ended, 'incomplete'));
    }
    for (const step of steps.data.filter((candidate) => candidate.status === 'in_progress')) {
      const ended: RunStep = endStep(
        step,
        cancelled ? 'cancelled' : 'failed',
        cancelled ? null : { code: 'server_error', message: INTERRUPTED },
      );
      changes.steps!.push(ended);
      changes.events.push(stepEvent(ended, cancelled ? 'cancelled' : 'failed'));
    }
    changes.events.push(runStatusEvent(run));
    return changes;
  });
}

/** A run left waiting (queued, or for tool outputs) past its `expires_at` becomes `expired`. */
export async function expireRun(deps: RunLoopDependencies, waiting: StoredRun): Promise<void> {
  await deps.writer.commit(waiting.run.id, (current) => {
    const { status, expires_at: expiresAt } = current.run;
    if ((status !== 'queued' && status !== 'requires_action') || expiresAt === null || expiresAt > nowSeconds())
      return undefined;
    const run: Run = {
      ...current.run,
      status: 'expired',
      expires_at: null,
      required_action: null,
      usage: toUsage(current.state.usedTokens),
    };
    const { pendingStep, ...state } = current.state;
    const steps = pendingStep ? [endStep(pendingStep, 'expired')] : [];
    return { run, state, steps, events: [...steps.map((step) => stepEvent(step, 'expired')), runStatusEvent(run)] };
  });
}

/** The text each message had streamed, rebuilt from the log's message deltas. */
function textByMessage(events: ReadonlyArray<{ event: string; data: unknown }>): Map<string, string> {
  const text = new Map<string, string>();
  for (const entry of events) {
    if (entry.event !== 'thread.message.delta') continue;
    const delta = entry.data as { id: string; delta: { content?: Array<{ text?: { value?: string } }> } };
    const piece = delta.delta.content?.map((part) => part.text?.value ?? '').join('') ?? '';
    text.set(delta.id, (text.get(delta.id) ?? '') + piece);
  }
  return text;
}

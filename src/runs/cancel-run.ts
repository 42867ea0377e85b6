import type { Run } from '../api/types.js';
import { errors } from '../errors.js';
import { nowSeconds } from '../ids.js';
import type { RunChanges, StoredRun } from '../store/run-repository.js';
import { runStatusEvent, stepEvent } from './run-events.js';
import { endStep } from './run-objects.js';
import type { RunScheduler } from './run-scheduler.js';
import { isTerminal } from './run-status.js';
import type { RunWriter } from './run-writer.js';

/**
 * Moves the run to `cancelling`. A run nobody is executing (queued, waiting for tool outputs) is `cancelled`
 * in the same write; one being executed is stopped by its worker, which aborts the upstream call and writes
 * `cancelled`. Returns the run as OpenAI answers a cancel: `cancelling`.
 */
export async function cancelRun(writer: RunWriter, scheduler: RunScheduler, runId: string): Promise<Run> {
  let rejectedStatus: Run['status'] | undefined;
  let cancelling: Run | undefined;
  await writer.commit(runId, (current) => {
    const { status } = current.run;
    if (isTerminal(status) || status === 'cancelling') {
      rejectedStatus = status;
      return undefined;
    }
    cancelling = { ...current.run, status: 'cancelling' };
    if (status === 'in_progress') return { run: cancelling, events: [runStatusEvent(cancelling)] };
    return cancelWaitingRun(current, cancelling);
  });
  if (rejectedStatus !== undefined) throw errors.cannotCancel(rejectedStatus);
  scheduler.cancel(runId);
  return cancelling!;
}

/** A queued or waiting run has no worker to stop it: it goes through `cancelling` to `cancelled` in one write. */
function cancelWaitingRun(current: StoredRun, cancelling: Run): RunChanges {
  const now = nowSeconds();
  const cancelled: Run = {
    ...cancelling,
    status: 'cancelled',
    cancelled_at: now,
    expires_at: null,
    required_action: null,
  };
  const { pendingStep, ...state } = current.state;
  const steps = pendingStep ? [endStep(pendingStep, 'cancelled')] : [];
  return {
    run: cancelled,
    state,
    steps,
    events: [
      runStatusEvent(cancelling),
      ...steps.map((step) => stepEvent(step, 'cancelled')),
      runStatusEvent(cancelled),
    ],
  };
}

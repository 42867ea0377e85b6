import type { Run, RunStep, SubmitToolOutputsRequest } from '../api/types.js';
import { type ApiError, errors } from '../errors.js';
import { nowSeconds } from '../ids.js';
import type { RunChanges, StoredRun } from '../store/run-repository.js';
import { runStatusEvent, stepEvent } from './run-events.js';
import type { RunScheduler } from './run-scheduler.js';
import type { RunWriter } from './run-writer.js';

/** The run queued again with its outputs, and where a stream of what follows starts in its event log. */
export interface ToolOutputsAccepted {
  run: Run;
  /** Stream events with a seq greater than this. */
  afterSeq: number;
}

/**
 * Records the outputs on the waiting tool-call step and queues the run again for a worker, which sends them
 * to the model. They must answer every pending call exactly once; otherwise nothing changes and the error says why.
 */
export async function submitToolOutputs(
  writer: RunWriter,
  scheduler: RunScheduler,
  runId: string,
  request: SubmitToolOutputsRequest,
  expiresAfterSeconds: number,
): Promise<ToolOutputsAccepted> {
  let failure: ApiError | undefined;
  const { stored, records } = await writer.commit(runId, (current) => {
    const outcome = acceptToolOutputs(current, request, expiresAfterSeconds);
    if ('error' in outcome) {
      failure = outcome.error;
      return undefined;
    }
    return outcome;
  });
  if (failure) throw failure;
  // Only a run deleted (with its thread) since the caller looked it up writes nothing without a failure.
  if (!stored || records.length === 0) throw errors.notFound('run', runId);
  scheduler.wake();
  return { run: stored.run, afterSeq: records[0]!.seq - 1 };
}

function acceptToolOutputs(
  current: StoredRun,
  request: SubmitToolOutputsRequest,
  expiresAfterSeconds: number,
): RunChanges | { error: ApiError } {
  const { run } = current;
  const step = current.state.pendingStep;
  if (run.status !== 'requires_action' || !run.required_action || !step) {
    return { error: errors.notAcceptingToolOutputs(run.status) };
  }
  const expected = run.required_action.submit_tool_outputs.tool_calls.map((call) => call.id);
  const received = request.tool_outputs.map((output) => output.tool_call_id ?? '');
  const sameSet =
    received.length === expected.length &&
    new Set(received).size === received.length &&
    received.every((id) => expected.includes(id));
  if (!sameSet) return { error: errors.toolOutputsMismatch(expected, received) };
  const outputs = new Map(request.tool_outputs.map((output) => [output.tool_call_id ?? '', output.output ?? '']));
  const now = nowSeconds();
  const completedStep: RunStep = { ...withOutputs(step, outputs), status: 'completed', completed_at: now };
  const queued: Run = { ...run, status: 'queued', required_action: null, expires_at: now + expiresAfterSeconds };
  const { pendingStep: _answered, ...state } = current.state;
  return {
    run: queued,
    state,
    steps: [completedStep],
    events: [stepEvent(completedStep, 'completed'), runStatusEvent(queued)],
  };
}

function withOutputs(step: RunStep, outputs: ReadonlyMap<string, string>): RunStep {
  const details = step.step_details;
  if (details.type !== 'tool_calls') return step;
  const toolCalls = details.tool_calls.map((call) =>
    call.type === 'function' ? { ...call, function: { ...call.function, output: outputs.get(call.id) ?? '' } } : call,
  );
  return { ...step, step_details: { ...details, tool_calls: toolCalls } };
}

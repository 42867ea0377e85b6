import type { RunStep } from '../api/types.js';
import type { StepToolCall } from '../tools/builtin-tool.js';
import { toolCallDeltaEvent } from './run-events.js';
import type { RunExecution } from './run-execution.js';
import type { RunResources, RunTools } from './run-tools.js';
import type { PendingCall } from './run-turn.js';

/**
 * Executes the built-in calls of a turn's tool step (file_search, code_interpreter), recording
 * each result on the step as it arrives. Figures the code drew wait in the run's state until the answer
 * message shows them (`ensureMessage`): a stream may not open another step while this one is in progress.
 * Returns the step with every built-in call filled in; function calls stay pending.
 */
export async function executeBuiltinCalls(
  execution: RunExecution,
  tools: RunTools,
  step: RunStep,
  calls: readonly PendingCall[],
  earlierSteps: readonly RunStep[],
  resources: RunResources,
  signal: AbortSignal,
): Promise<RunStep> {
  const ordinals = countCalls(earlierSteps);
  let current = step;
  for (const call of calls) {
    if (call.kind === 'function') continue;
    const tool = tools.byType(call.kind)!;
    const ordinal = ordinals.get(call.kind) ?? 0;
    ordinals.set(call.kind, ordinal + 1);
    const outcome = await tool.execute(call.arguments, {
      project: execution.project,
      run: execution.run,
      vectorStoreIds: resources.vectorStoreIds,
      codeFileIds: resources.codeFileIds,
      ordinal,
      callId: call.id,
      signal,
      generatedFiles: execution.annotationSources.files,
      ...(resources.containerId ? { containerId: resources.containerId } : {}),
      ...(resources.fileSearchFilter ? { fileSearchFilter: resources.fileSearchFilter } : {}),
    });
    current = replaceCall(current, call.index, outcome.toolCall);
    const updated = current;
    const events =
      outcome.toolCall.type === 'code_interpreter'
        ? [
            toolCallDeltaEvent(updated.id, {
              index: call.index,
              type: 'code_interpreter',
              code_interpreter: {
                outputs: outcome.toolCall.code_interpreter.outputs.map((output, index) => ({ index, ...output })),
              },
            }),
          ]
        : [];
    const figures = outcome.imageFileIds ?? [];
    await execution.write((_run, state) => ({
      steps: [updated],
      events,
      ...(figures.length > 0
        ? { state: { ...state, pendingFigures: [...(state.pendingFigures ?? []), ...figures] } }
        : {}),
    }));
    execution.openToolStep = updated;
  }
  return current;
}

/** How many calls of each built-in type the run's earlier steps made (numbers citation markers). */
export function countCalls(steps: readonly RunStep[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const step of steps) {
    if (step.step_details.type !== 'tool_calls') continue;
    for (const call of step.step_details.tool_calls)
      if (call.type !== 'function') counts.set(call.type, (counts.get(call.type) ?? 0) + 1);
  }
  return counts;
}

function replaceCall(step: RunStep, index: number, toolCall: StepToolCall): RunStep {
  if (step.step_details.type !== 'tool_calls') return step;
  const toolCalls = [...step.step_details.tool_calls];
  toolCalls[index] = toolCall;
  return { ...step, step_details: { type: 'tool_calls', tool_calls: toolCalls } };
}

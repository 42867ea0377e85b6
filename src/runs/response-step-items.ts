import type { ResponseSettings } from '../api/response-settings.js';
import type { RunStep } from '../api/types.js';
import { INCLUDE_CODE_INTERPRETER_OUTPUTS, INCLUDE_FILE_SEARCH_RESULTS, stepToItems } from '../responses/items.js';
import type { ConversationItem } from '../store/store.js';
import type { PendingCall } from './run-turn.js';

/**
 * A response's completed tool step as the conversation items it leaves on its thread, whole (search results and code
 * outputs included: what a response shows is chosen by its `include` when presented), with each file_search call's
 * queries from the arguments the model gave.
 */
export function stepItems(
  step: RunStep,
  calls: readonly PendingCall[],
  settings: ResponseSettings,
): ConversationItem[] {
  const argumentsById = new Map(calls.map((call) => [call.id, call.arguments]));
  return stepToItems(step, {
    include: [INCLUDE_FILE_SEARCH_RESULTS, INCLUDE_CODE_INTERPRETER_OUTPUTS],
    containerId: settings.containerId,
    fileSearchQueries: (callId) => queriesOf(argumentsById.get(callId)),
  });
}

function queriesOf(argumentsJson: string | undefined): string[] {
  if (argumentsJson === undefined) return [];
  try {
    const parsed = JSON.parse(argumentsJson) as { queries?: unknown; query?: unknown };
    const list = Array.isArray(parsed.queries) ? parsed.queries : [parsed.query];
    return list.filter((query): query is string => typeof query === 'string');
  } catch {
    return [];
  }
}

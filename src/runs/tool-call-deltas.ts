import type { StepToolCall } from '../tools/builtin-tool.js';
import type { PendingCall } from './run-turn.js';

/** A call as the step records it before it has a result. */
export function recordedCall(call: PendingCall): StepToolCall {
  switch (call.kind) {
    case 'file_search':
      return { id: call.id, type: 'file_search', file_search: {} };
    case 'code_interpreter':
      return {
        id: call.id,
        type: 'code_interpreter',
        code_interpreter: { input: codeOf(call.arguments), outputs: [] },
      };
    case 'function':
      return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments, output: null } };
  }
}

function codeOf(argumentsJson: string): string {
  try {
    const parsed = JSON.parse(argumentsJson) as { code?: unknown };
    return typeof parsed?.code === 'string' ? parsed.code : argumentsJson;
  } catch {
    return argumentsJson;
  }
}

/** The first delta of a call: its id and kind, with empty contents. */
export function callStartDelta(call: PendingCall): Record<string, unknown> & { index: number } {
  switch (call.kind) {
    case 'file_search':
      return { index: call.index, id: call.id, type: 'file_search', file_search: {} };
    case 'code_interpreter':
      return { index: call.index, id: call.id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } };
    case 'function':
      return {
        index: call.index,
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: '', output: null },
      };
  }
}

/** A later delta of a call: more of its arguments (functions) or its code (code_interpreter). */
export function callArgumentsDelta(
  call: PendingCall,
  argumentsDelta: string,
): (Record<string, unknown> & { index: number }) | undefined {
  switch (call.kind) {
    case 'file_search':
      return undefined;
    case 'code_interpreter': {
      const input = call.code?.push(argumentsDelta) ?? '';
      return input === '' ? undefined : { index: call.index, type: 'code_interpreter', code_interpreter: { input } };
    }
    case 'function':
      return { index: call.index, type: 'function', function: { arguments: argumentsDelta } };
  }
}

import { useState } from 'preact/hooks';
import type { ResponseInputItem, ResponseOutputItem } from '../api/types.js';

type FunctionCall = Extract<ResponseOutputItem, { type: 'function_call' }>;

/** The function calls a response ended with: an output for each, sent together as the next response's input. */
export function FunctionOutputsForm({
  calls,
  busy,
  onSubmit,
}: {
  calls: FunctionCall[];
  busy: boolean;
  onSubmit: (input: ResponseInputItem[]) => Promise<void>;
}) {
  const [outputs, setOutputs] = useState<Record<string, string>>({});
  return (
    <form
      class="tool-outputs"
      aria-label="Function outputs"
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit(
          calls.map((call) => ({
            type: 'function_call_output',
            call_id: call.call_id,
            output: outputs[call.call_id] ?? '',
          })),
        );
      }}
    >
      <h3>Answer the function calls</h3>
      <p class="muted">The outputs go to a new response that continues this one.</p>
      {calls.map((call) => (
        <label key={call.call_id}>
          Output of {call.name} <small class="mono">{call.call_id}</small>
          <textarea
            rows={2}
            value={outputs[call.call_id] ?? ''}
            onInput={(event) => {
              const value = event.currentTarget.value;
              setOutputs((current) => ({ ...current, [call.call_id]: value }));
            }}
          />
        </label>
      ))}
      <button type="submit" disabled={busy}>
        Send outputs
      </button>
    </form>
  );
}

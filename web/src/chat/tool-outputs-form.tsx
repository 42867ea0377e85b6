import { useState } from 'preact/hooks';
import type { RequiredToolCall } from '../api/types.js';

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** The function calls a run waits on: their arguments, and a field for each output, all submitted together. */
export function ToolOutputsForm({
  calls,
  onSubmit,
}: {
  calls: RequiredToolCall[];
  onSubmit: (outputs: Array<{ tool_call_id: string; output: string }>) => Promise<void>;
}) {
  const [outputs, setOutputs] = useState<Record<string, string>>({});
  const [submitting, setSubmitting] = useState(false);
  return (
    <form
      class="tool-outputs"
      aria-label="Tool outputs"
      onSubmit={async (event) => {
        event.preventDefault();
        setSubmitting(true);
        await onSubmit(calls.map((call) => ({ tool_call_id: call.id, output: outputs[call.id] ?? '' })));
        setSubmitting(false);
      }}
    >
      <h3>The run needs tool outputs</h3>
      {calls.map((call) => (
        <fieldset key={call.id}>
          <legend>
            {call.function.name} <small class="mono">{call.id}</small>
          </legend>
          <figure aria-label={`Arguments of ${call.function.name}`}>
            <pre class="code">{pretty(call.function.arguments)}</pre>
          </figure>
          <label>
            Output of {call.function.name}
            <textarea
              rows={3}
              value={outputs[call.id] ?? ''}
              onInput={(event) => {
                const value = event.currentTarget.value;
                setOutputs((current) => ({ ...current, [call.id]: value }));
              }}
            />
          </label>
        </fieldset>
      ))}
      <button type="submit" disabled={submitting}>
        Submit outputs
      </button>
    </form>
  );
}

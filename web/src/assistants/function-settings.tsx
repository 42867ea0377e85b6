import { JsonEditor } from '../components/json-editor.js';
import { checkFunctionDefinition } from '../components/json-schema-check.js';
import { FUNCTION_TEMPLATE } from './assistant-draft.js';

/** Function tools, each a JSON definition checked as it is typed; the assistant cannot be saved while one is wrong. */
export function FunctionSettings({ functions, onChange }: { functions: string[]; onChange: (next: string[]) => void }) {
  return (
    <fieldset>
      <legend>Functions</legend>
      {functions.map((text, index) => (
        <div class="function" key={index}>
          <JsonEditor
            label={`Function ${index + 1}`}
            value={text}
            rows={10}
            problems={checkFunctionDefinition(text).problems}
            onChange={(next) => onChange(functions.map((item, at) => (at === index ? next : item)))}
          />
          <button type="button" class="secondary" onClick={() => onChange(functions.filter((_, at) => at !== index))}>
            Remove function {index + 1}
          </button>
        </div>
      ))}
      <button type="button" class="secondary" onClick={() => onChange([...functions, FUNCTION_TEMPLATE])}>
        Add function
      </button>
    </fieldset>
  );
}

import { JsonEditor } from '../components/json-editor.js';
import { checkJsonSchema, parseJson } from '../components/json-schema-check.js';
import type { AssistantDraft, ResponseFormatChoice } from './assistant-draft.js';

type Props = { draft: AssistantDraft; onChange: (change: Partial<AssistantDraft>) => void };

export function ResponseFormatSettings({ draft, onChange }: Props) {
  const parsed = parseJson(draft.schemaText);
  const problems = parsed.ok ? checkJsonSchema(parsed.value, 'schema') : [parsed.problem];
  return (
    <fieldset>
      <legend>Response format</legend>
      <label>
        Format
        <select
          value={draft.responseFormat}
          onChange={(event) => onChange({ responseFormat: event.currentTarget.value as ResponseFormatChoice })}
        >
          <option value="auto">auto</option>
          <option value="text">text</option>
          <option value="json_object">json_object</option>
          <option value="json_schema">json_schema</option>
        </select>
      </label>
      {draft.responseFormat === 'json_schema' && (
        <>
          <label>
            Schema name
            <input value={draft.schemaName} onInput={(event) => onChange({ schemaName: event.currentTarget.value })} />
          </label>
          <label class="inline">
            <input
              type="checkbox"
              checked={draft.schemaStrict}
              onChange={(event) => onChange({ schemaStrict: event.currentTarget.checked })}
            />
            Strict
          </label>
          <JsonEditor
            label="JSON schema"
            value={draft.schemaText}
            problems={problems}
            onChange={(schemaText) => onChange({ schemaText })}
          />
        </>
      )}
    </fieldset>
  );
}

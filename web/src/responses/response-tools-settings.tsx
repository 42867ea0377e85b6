import { FunctionSettings } from '../assistants/function-settings.js';
import type { ResponseDraft } from './response-draft.js';
import { VectorStorePicker } from './vector-store-picker.js';

type Props = { draft: ResponseDraft; onChange: (change: Partial<ResponseDraft>) => void };

/** The response's tools: function definitions as JSON, file_search over a vector store, code_interpreter in an auto container. */
export function ResponseToolsSettings({ draft, onChange }: Props) {
  return (
    <fieldset>
      <legend>Tools</legend>
      <FunctionSettings functions={draft.functions} onChange={(functions) => onChange({ functions })} />
      <label class="inline">
        <input
          type="checkbox"
          checked={draft.fileSearch}
          onChange={(event) => onChange({ fileSearch: event.currentTarget.checked })}
        />
        file_search
      </label>
      {draft.fileSearch && (
        <div class="tool-settings">
          <VectorStorePicker value={draft.vectorStoreId} onChange={(vectorStoreId) => onChange({ vectorStoreId })} />
        </div>
      )}
      <label class="inline">
        <input
          type="checkbox"
          checked={draft.codeInterpreter}
          onChange={(event) => onChange({ codeInterpreter: event.currentTarget.checked })}
        />
        code_interpreter (container: auto)
      </label>
    </fieldset>
  );
}

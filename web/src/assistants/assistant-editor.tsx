import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { Assistant } from '../api/types.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';
import { type AssistantDraft, toDraft, toRequest } from './assistant-draft.js';
import { CodeInterpreterSettings } from './code-interpreter-settings.js';
import { FileSearchSettings } from './file-search-settings.js';
import { FunctionSettings } from './function-settings.js';
import { MetadataEditor } from './metadata-editor.js';
import { ModelPicker } from './model-picker.js';
import { ResponseFormatSettings } from './response-format-settings.js';

export interface AssistantEditorProps {
  /** `null` for a new assistant. */
  assistant: Assistant | null;
  onSaved: (assistant: Assistant) => void;
  onDeleted: (assistantId: string) => void;
}

export function AssistantEditor({ assistant, onSaved, onDeleted }: AssistantEditorProps) {
  const { client } = useSession();
  const saved = useMemo(() => toDraft(assistant), [assistant]);
  const [draft, setDraft] = useState<AssistantDraft>(saved);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    setDraft(saved);
    setError(null);
  }, [saved]);

  const change = (update: Partial<AssistantDraft>) => {
    setNotice(null);
    setDraft((current) => ({ ...current, ...update }));
  };
  const unsaved = JSON.stringify(draft) !== JSON.stringify(saved);
  const { params, problems } = toRequest(draft);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const result =
        assistant === null
          ? await client.beta.assistants.create(params)
          : await client.beta.assistants.update(assistant.id, params);
      setNotice('Saved.');
      onSaved(result);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (assistant === null) return;
    try {
      await client.beta.assistants.delete(assistant.id);
      onDeleted(assistant.id);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <form
      class="assistant-editor"
      aria-label="Assistant settings"
      onSubmit={(event) => {
        event.preventDefault();
        if (problems.length === 0) void save();
      }}
    >
      <div class="editor-actions">
        <h2>{assistant === null ? 'New assistant' : (assistant.name ?? assistant.id)}</h2>
        {unsaved && <span class="badge unsaved">Unsaved changes</span>}
        {notice !== null && !unsaved && <span class="badge">{notice}</span>}
        <button type="submit" disabled={saving || problems.length > 0 || (!unsaved && assistant !== null)}>
          {assistant === null ? 'Create assistant' : 'Save'}
        </button>
        {unsaved && assistant !== null && (
          <button type="button" class="secondary" onClick={() => setDraft(saved)}>
            Revert
          </button>
        )}
        {assistant !== null && <ConfirmButton label="Delete assistant" onConfirm={() => void remove()} />}
      </div>
      {assistant !== null && <p class="muted mono">{assistant.id}</p>}
      <ErrorMessage message={error} />
      {problems.length > 0 && (
        <ul class="problems" aria-label="Fix before saving">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <label>
        Name
        <input value={draft.name} maxLength={256} onInput={(event) => change({ name: event.currentTarget.value })} />
      </label>
      <label>
        Description
        <input
          value={draft.description}
          maxLength={512}
          onInput={(event) => change({ description: event.currentTarget.value })}
        />
      </label>
      <label>
        Instructions
        <textarea
          rows={5}
          value={draft.instructions}
          onInput={(event) => change({ instructions: event.currentTarget.value })}
        />
      </label>
      <ModelPicker value={draft.model} onChange={(model) => change({ model })} />
      <div class="row">
        <label>
          Temperature
          <input
            type="number"
            min={0}
            max={2}
            step={0.1}
            placeholder="1"
            value={draft.temperature}
            onInput={(event) => change({ temperature: event.currentTarget.value })}
          />
        </label>
        <label>
          Top P
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            placeholder="1"
            value={draft.topP}
            onInput={(event) => change({ topP: event.currentTarget.value })}
          />
        </label>
      </div>
      <ResponseFormatSettings draft={draft} onChange={change} />
      <fieldset>
        <legend>Tools</legend>
        <label class="inline">
          <input
            type="checkbox"
            checked={draft.fileSearch}
            onChange={(event) => change({ fileSearch: event.currentTarget.checked })}
          />
          File search
        </label>
        {draft.fileSearch && <FileSearchSettings draft={draft} onChange={change} />}
        <label class="inline">
          <input
            type="checkbox"
            checked={draft.codeInterpreter}
            onChange={(event) => change({ codeInterpreter: event.currentTarget.checked })}
          />
          Code interpreter
        </label>
        {draft.codeInterpreter && (
          <CodeInterpreterSettings fileIds={draft.codeFileIds} onChange={(codeFileIds) => change({ codeFileIds })} />
        )}
        <FunctionSettings functions={draft.functions} onChange={(functions) => change({ functions })} />
      </fieldset>
      <MetadataEditor rows={draft.metadata} onChange={(metadata) => change({ metadata })} />
    </form>
  );
}

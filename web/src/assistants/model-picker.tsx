import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { Model } from '../api/types.js';
import { useSession } from '../session.js';

/** A text field suggesting the models `GET /v1/models` lists; any other id the server routes may be typed. */
export function ModelPicker({ value, onChange }: { value: string; onChange: (model: string) => void }) {
  const { client } = useSession();
  const [models, setModels] = useState<Model[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    client.models.list().then(
      (page) => live && setModels(page.data),
      (error: unknown) => live && setProblem(errorMessage(error)),
    );
    return () => {
      live = false;
    };
  }, [client]);
  return (
    <label>
      Model
      <input list="playground-models" value={value} required onInput={(event) => onChange(event.currentTarget.value)} />
      <datalist id="playground-models">
        {models.map((model) => (
          <option key={model.id} value={model.id}>
            {model.owned_by}
          </option>
        ))}
      </datalist>
      {problem !== null && <span class="muted">The model list could not be loaded: {problem}</span>}
    </label>
  );
}

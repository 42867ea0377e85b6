type Row = { key: string; value: string };

/** Up to 16 key/value pairs, as OpenAI's metadata holds. */
export function MetadataEditor({ rows, onChange }: { rows: Row[]; onChange: (rows: Row[]) => void }) {
  const set = (index: number, change: Partial<Row>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...change } : row)));
  return (
    <fieldset>
      <legend>Metadata</legend>
      {rows.map((row, index) => (
        <div class="row" key={index}>
          <label>
            Key {index + 1}
            <input value={row.key} maxLength={64} onInput={(event) => set(index, { key: event.currentTarget.value })} />
          </label>
          <label>
            Value {index + 1}
            <input
              value={row.value}
              maxLength={512}
              onInput={(event) => set(index, { value: event.currentTarget.value })}
            />
          </label>
          <button type="button" class="secondary" onClick={() => onChange(rows.filter((_, at) => at !== index))}>
            Remove metadata {index + 1}
          </button>
        </div>
      ))}
      {rows.length < 16 && (
        <button type="button" class="secondary" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          Add metadata
        </button>
      )}
    </fieldset>
  );
}

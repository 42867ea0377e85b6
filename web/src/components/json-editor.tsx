/** A labelled JSON text area that lists what is wrong with its text as the user types. */
export function JsonEditor({
  label,
  value,
  problems,
  rows = 8,
  onChange,
}: {
  label: string;
  value: string;
  problems: readonly string[];
  rows?: number;
  onChange: (text: string) => void;
}) {
  return (
    <div class="json-editor">
      <label>
        {label}
        <textarea
          class="code"
          rows={rows}
          spellcheck={false}
          value={value}
          aria-invalid={problems.length > 0}
          onInput={(event) => onChange(event.currentTarget.value)}
        />
      </label>
      {problems.length > 0 && (
        <ul class="problems" aria-label={`Problems in ${label}`}>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

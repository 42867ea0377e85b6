import type { ResponseOutputItem } from '../api/types.js';
import { ApiImage } from './api-image.js';
import { OutputText } from './output-text.js';

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

const LABELS: Record<string, string> = {
  message: 'Message',
  function_call: 'Function call',
  file_search_call: 'File search call',
  code_interpreter_call: 'Code interpreter call',
  reasoning: 'Reasoning',
};

function ItemBody({ item }: { item: ResponseOutputItem }) {
  switch (item.type) {
    case 'message':
      return (
        <>
          {item.content.map((part, index) =>
            part.type === 'output_text' ? (
              <OutputText key={index} text={part.text} annotations={part.annotations} />
            ) : (
              <p key={index} class="error">
                Refusal: {part.refusal}
              </p>
            ),
          )}
        </>
      );
    case 'function_call':
      return (
        <>
          <p>
            <strong>{item.name}</strong> <small class="mono">{item.call_id}</small>
          </p>
          <figure aria-label={`Arguments of ${item.name}`}>
            <pre class="code">{pretty(item.arguments)}</pre>
          </figure>
        </>
      );
    case 'file_search_call':
      return (
        <>
          <ul class="chips" aria-label="Queries">
            {item.queries.map((query) => (
              <li key={query}>{query}</li>
            ))}
          </ul>
          {item.results !== null && item.results !== undefined && (
            <ol class="search-results" aria-label="Search results">
              {item.results.length === 0 && <li class="muted">No results.</li>}
              {item.results.map((result, index) => (
                <li key={index}>
                  <strong>{result.filename ?? result.file_id}</strong>{' '}
                  {result.score !== undefined && <span class="score">score {result.score.toFixed(3)}</span>}
                  {result.text !== undefined && <blockquote>{result.text}</blockquote>}
                </li>
              ))}
            </ol>
          )}
        </>
      );
    case 'code_interpreter_call':
      return (
        <>
          <p class="muted mono">{item.container_id}</p>
          <figure aria-label="Code">
            <pre class="code">{item.code ?? ''}</pre>
          </figure>
          {(item.outputs ?? []).map((output, index) =>
            output.type === 'logs' ? (
              <figure key={index} aria-label="Logs">
                <pre class="logs">{output.logs}</pre>
              </figure>
            ) : (
              <ApiImage key={index} url={output.url} alt="Figure from the code" />
            ),
          )}
        </>
      );
    default:
      return <pre class="code">{JSON.stringify(item, null, 2)}</pre>;
  }
}

/** One output item as the stream builds it: a message's text, a function call's arguments, a tool call's work. */
export function OutputItemView({ item }: { item: ResponseOutputItem }) {
  const label = LABELS[item.type] ?? item.type;
  const status = 'status' in item && typeof item.status === 'string' ? item.status : undefined;
  return (
    <article class="message output-item" aria-label={label}>
      <p>
        <strong>{label}</strong> {status !== undefined && <span class={`status status-${status}`}>{status}</span>}{' '}
        {'id' in item && <small class="mono">{String(item.id)}</small>}
      </p>
      <ItemBody item={item} />
    </article>
  );
}

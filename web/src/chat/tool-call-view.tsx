import type { ToolCall } from '../api/types.js';
import { FileImage } from '../components/file-image.js';

/** A tool call as the run step records it: code and its outputs, search results and scores, function arguments. */
export function ToolCallView({ call }: { call: ToolCall }) {
  switch (call.type) {
    case 'code_interpreter':
      return (
        <div class="tool-call">
          <h4>Code interpreter</h4>
          <figure aria-label="Code">
            <pre class="code">{call.code_interpreter.input}</pre>
          </figure>
          {call.code_interpreter.outputs.map((output, index) =>
            output.type === 'logs' ? (
              <figure key={index} aria-label="Logs">
                <pre class="logs">{output.logs}</pre>
              </figure>
            ) : (
              <FileImage key={index} fileId={output.image.file_id} alt="Figure from the code" />
            ),
          )}
        </div>
      );
    case 'file_search': {
      const results = call.file_search.results ?? [];
      const threshold = call.file_search.ranking_options?.score_threshold;
      return (
        <div class="tool-call">
          <h4>File search</h4>
          {threshold !== undefined && <p class="muted">Score threshold {threshold}</p>}
          {results.length === 0 && <p class="muted">No results.</p>}
          <ol class="search-results" aria-label="Search results">
            {results.map((result, index) => (
              <li key={index}>
                <strong>{result.file_name}</strong> <span class="score">score {result.score.toFixed(3)}</span>
                {(result.content ?? []).map((part, at) => (
                  <blockquote key={at}>{part.text}</blockquote>
                ))}
              </li>
            ))}
          </ol>
        </div>
      );
    }
    case 'function':
      return (
        <div class="tool-call">
          <h4>Function {call.function.name}</h4>
          <figure aria-label="Function arguments">
            <pre class="code">{call.function.arguments}</pre>
          </figure>
          {call.function.output === null ? (
            <p class="muted">Waiting for its output.</p>
          ) : (
            <figure aria-label="Function output">
              <pre class="logs">{call.function.output}</pre>
            </figure>
          )}
        </div>
      );
  }
}

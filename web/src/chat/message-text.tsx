import { useEffect, useRef, useState } from 'preact/hooks';
import { downloadFile } from '../api/download.js';
import type { Annotation } from '../api/types.js';
import { FileName } from '../files/file-name.js';
import { useSession } from '../session.js';
import { linkFootnotes, markerKey, prepareText } from './annotations.js';
import { type CitedSource, citedSources } from './citation-sources.js';
import { renderMarkdown } from './markdown.js';

export interface MessageTextProps {
  messageId: string;
  threadId: string;
  /** The run that wrote it; its steps hold the passages the footnotes quote. */
  runId: string | null;
  /** Whether the message is complete: footnotes are looked up then. */
  complete: boolean;
  text: { value: string; annotations: Annotation[] };
}

/** A text part as Markdown, its citations as numbered footnotes and its sandbox links as downloads. */
export function MessageText({ messageId, threadId, runId, complete, text }: MessageTextProps) {
  const { client } = useSession();
  const prepared = prepareText(text);
  const html = linkFootnotes(renderMarkdown(prepared.markdown), messageId);
  const [sources, setSources] = useState<Map<string, CitedSource> | null>(null);
  const wantsSources = complete && runId !== null && prepared.footnotes.length > 0;

  useEffect(() => {
    if (!wantsSources || runId === null) return;
    let live = true;
    citedSources(client, threadId, runId).then(
      (found) => live && setSources(found),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, threadId, runId, wantsSources]);

  // The `#download-<file id>` links are inside rendered HTML: one listener catches their clicks (and Enter).
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const onClick = (event: MouseEvent) => {
      const href = (event.target as Element | null)?.closest('a')?.getAttribute('href') ?? '';
      if (!href.startsWith('#download-')) return;
      event.preventDefault();
      void downloadFile(client, href.slice('#download-'.length));
    };
    element.addEventListener('click', onClick);
    return () => element.removeEventListener('click', onClick);
  }, [client]);

  return (
    <div class="message-text">
      {/* markdown-it with html: false escapes the model's text: this HTML holds no markup the model wrote. */}
      <div class="markdown" ref={container} dangerouslySetInnerHTML={{ __html: html }} />
      {prepared.footnotes.length > 0 && (
        <ol class="footnotes" aria-label="Sources">
          {prepared.footnotes.map((footnote) => {
            const source = sources?.get(markerKey(footnote.marker) ?? '');
            return (
              <li key={footnote.number} id={`fn-${messageId}-${footnote.number}`} value={footnote.number}>
                <strong>{source?.fileName ?? <FileName fileId={footnote.fileId} />}</strong>
                {source !== undefined && <span class="muted"> (score {source.score.toFixed(3)})</span>}
                {source !== undefined && source.text !== '' && <blockquote>{source.text}</blockquote>}
              </li>
            );
          })}
        </ol>
      )}
      {prepared.downloads.length > 0 && (
        <ul class="downloads" aria-label="Files">
          {prepared.downloads.map((download) => {
            const name = download.path.split('/').at(-1) ?? download.path;
            return (
              <li key={download.fileId}>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => void downloadFile(client, download.fileId, name)}
                >
                  Download {name}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

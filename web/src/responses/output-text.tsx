import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { ResponseAnnotation } from '../api/types.js';
import { renderMarkdown } from '../chat/markdown.js';
import { ErrorMessage } from '../components/error-message.js';
import { useSession } from '../session.js';
import { numberCitationMarkers, unlinkSandboxPaths } from './citation-markers.js';

/** Saves a file code wrote in a container (`container_file_citation`) to the user's downloads. */
function ContainerFileDownload({
  containerId,
  fileId,
  filename,
}: {
  containerId: string;
  fileId: string;
  filename: string;
}) {
  const { client } = useSession();
  const [error, setError] = useState<string | null>(null);
  const name = filename.split('/').at(-1) ?? filename;
  const download = async () => {
    try {
      const response = await client.containers.files.content.retrieve(fileId, { container_id: containerId });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(await response.blob());
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <>
      <button type="button" class="secondary" onClick={() => void download()}>
        Download {name}
      </button>
      <ErrorMessage message={error} />
    </>
  );
}

function Citation({ annotation }: { annotation: ResponseAnnotation }) {
  switch (annotation.type) {
    case 'file_citation':
      return (
        <>
          <strong>{annotation.filename}</strong> <small class="mono">{annotation.file_id}</small>{' '}
          <span class="muted">at {annotation.index}</span>
        </>
      );
    case 'container_file_citation':
      return (
        <ContainerFileDownload
          containerId={annotation.container_id}
          fileId={annotation.file_id}
          filename={annotation.filename}
        />
      );
    case 'url_citation':
      return (
        <a href={annotation.url} target="_blank" rel="noopener noreferrer">
          {annotation.title || annotation.url}
        </a>
      );
    case 'file_path':
      return <small class="mono">{annotation.file_id}</small>;
  }
}

/**
 * An `output_text` part: its text as Markdown (growing while it streams), citation markers as `[n]`, sandbox links
 * as plain text, and its annotations as the numbered list of citations (container files download from there).
 */
export function OutputText({ text, annotations }: { text: string; annotations: ResponseAnnotation[] }) {
  return (
    <div class="message-text">
      {/* markdown-it with html: false escapes the model's text: this HTML holds no markup the model wrote. */}
      <div
        class="markdown"
        dangerouslySetInnerHTML={{
          __html: renderMarkdown(unlinkSandboxPaths(numberCitationMarkers(text, annotations))),
        }}
      />
      {annotations.length > 0 && (
        <ol class="footnotes" aria-label="Citations">
          {annotations.map((annotation, index) => (
            <li key={index}>
              <Citation annotation={annotation} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** One result the model saw, under its marker `【ordinal:index†filename】`. */
export interface CitedSource {
  marker: string;
  fileId: string;
}

export type FileCitation = {
  type: 'file_citation';
  text: string;
  start_index: number;
  end_index: number;
  file_citation: { file_id: string };
};

/** The marker shown to the model before result `index` of the run's `ordinal`-th search. */
export function citationMarker(ordinal: number, index: number, filename: string): string {
  return `【${ordinal}:${index}†${filename.replace(/[【】]/g, '')}】`;
}

const MARKER = /【(\d+):(\d+)†[^【】]*】/g;

/**
 * Finds the source markers the model copied into its answer and turns each into a
 * `file_citation` annotation whose `start_index`/`end_index` slice exactly the marker text.
 * Markers are matched by their `ordinal:index` (models sometimes shorten the filename part);
 * markers naming no result the model was shown are left as plain text.
 */
export function findCitations(text: string, sources: ReadonlyMap<string, string>): FileCitation[] {
  const citations: FileCitation[] = [];
  for (const match of text.matchAll(MARKER)) {
    const fileId = sources.get(`${match[1]}:${match[2]}`);
    if (fileId === undefined) continue;
    const start = match.index;
    citations.push({
      type: 'file_citation',
      text: match[0],
      start_index: start,
      end_index: start + match[0].length,
      file_citation: { file_id: fileId },
    });
  }
  return citations;
}

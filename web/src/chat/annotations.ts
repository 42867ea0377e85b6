import type { Annotation } from '../api/types.js';

/** Private-use characters around a footnote number: Markdown and HTML escaping leave them alone. */
const OPEN = '\uE000';
const CLOSE = '\uE001';

export interface Footnote {
  number: number;
  fileId: string;
  /** The marker the model copied, `【0:1†report.pdf】`: which search result it cites. */
  marker: string;
}

export interface Download {
  fileId: string;
  /** `sandbox:/mnt/data/out.csv` */
  path: string;
}

export interface PreparedText {
  markdown: string;
  footnotes: Footnote[];
  downloads: Download[];
}

/**
 * Rewrites a text part for display: each `file_citation` marker becomes a numbered footnote reference (one number
 * per distinct marker) and each `file_path` link target a `#download-<file id>` link. Annotations whose range does
 * not hold their text (a stream still arriving) are left as they are.
 */
export function prepareText(text: { value: string; annotations: Annotation[] }): PreparedText {
  const footnotes: Footnote[] = [];
  const downloads: Download[] = [];
  const numbers = new Map<string, number>();
  const annotations = text.annotations
    .filter((annotation) => text.value.slice(annotation.start_index, annotation.end_index) === annotation.text)
    .sort((first, second) => first.start_index - second.start_index);
  let markdown = '';
  let cursor = 0;
  for (const annotation of annotations) {
    if (annotation.start_index < cursor) continue;
    markdown += text.value.slice(cursor, annotation.start_index);
    if (annotation.type === 'file_citation') {
      let number = numbers.get(annotation.text);
      if (number === undefined) {
        number = numbers.size + 1;
        numbers.set(annotation.text, number);
        footnotes.push({ number, fileId: annotation.file_citation.file_id, marker: annotation.text });
      }
      markdown += `${OPEN}${number}${CLOSE}`;
    } else {
      markdown += `#download-${annotation.file_path.file_id}`;
      downloads.push({ fileId: annotation.file_path.file_id, path: annotation.text });
    }
    cursor = annotation.end_index;
  }
  return { markdown: markdown + text.value.slice(cursor), footnotes, downloads };
}

/** Turns the footnote placeholders of rendered HTML into links to the message's footnotes. */
export function linkFootnotes(html: string, messageId: string): string {
  return html.replace(
    new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g'),
    (_, number: string) =>
      `<sup><a class="citation" href="#fn-${messageId}-${number}" aria-label="Source ${number}">[${number}]</a></sup>`,
  );
}

/** `【0:1†report.pdf】` → `0:1`: the run's first file_search call, its second result. */
export function markerKey(marker: string): string | undefined {
  const match = /【(\d+):(\d+)†/.exec(marker);
  return match ? `${match[1]}:${match[2]}` : undefined;
}

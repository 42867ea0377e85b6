import type { ResponseAnnotation } from '../api/types.js';

/**
 * The text with each `file_citation`'s marker (`【4:0†office.md】`, which this server leaves in the text with the
 * annotation's `index` just after it) replaced by the citation's number in the list, `[n]`. Text without markers
 * (OpenAI's, or markers not at an annotation's index) is left as it is.
 */
export function numberCitationMarkers(text: string, annotations: readonly ResponseAnnotation[]): string {
  const spans: Array<{ start: number; end: number; number: number }> = [];
  annotations.forEach((annotation, position) => {
    if (annotation.type !== 'file_citation') return;
    const end = annotation.index;
    if (text[end - 1] !== '】') return;
    const start = text.lastIndexOf('【', end - 1);
    if (start !== -1) spans.push({ start, end, number: position + 1 });
  });
  let result = text;
  for (const span of spans.sort((a, b) => b.start - a.start)) {
    result = `${result.slice(0, span.start)}[${span.number}]${result.slice(span.end)}`;
  }
  return result;
}

/**
 * `[label](sandbox:/mnt/data/…)` links as their label alone: the path is in the code's container, not on the web; the
 * file downloads from the citations below the text (its `container_file_citation`).
 */
export function unlinkSandboxPaths(text: string): string {
  return text.replace(/\[([^\]]*)\]\(sandbox:[^)]*\)/g, '$1');
}

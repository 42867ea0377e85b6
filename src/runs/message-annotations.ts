import type { Message } from '../api/types.js';
import { findCitations } from '../tools/file-search/citations.js';

type TextContent = Extract<Message['content'][number], { type: 'text' }>;
export type Annotation = TextContent['text']['annotations'][number];

/** What a run's answer may point at: search results by marker, and files its code wrote. */
export interface AnnotationSources {
  /** `ordinal:index` of a file_search result → its file id. */
  citations: Map<string, string>;
  /** `/mnt/data/<name>` → the File the code_interpreter made of it. */
  files: Map<string, string>;
}

export function emptyAnnotationSources(): AnnotationSources {
  return { citations: new Map(), files: new Map() };
}

const SANDBOX_PATH = /sandbox:(\/mnt\/data\/[^\s)\]'"<>`]+)/g;

/** `file_citation` annotations for cited search results and `file_path` ones for sandbox links, in text order. */
export function annotate(text: string, sources: AnnotationSources): Annotation[] {
  const annotations: Annotation[] = [...findCitations(text, sources.citations)];
  for (const match of text.matchAll(SANDBOX_PATH)) {
    const fileId = sources.files.get(match[1]!.replace(/[.,;:!?]+$/, ''));
    if (fileId === undefined) continue;
    const linkText = match[0].replace(/[.,;:!?]+$/, '');
    annotations.push({
      type: 'file_path',
      text: linkText,
      start_index: match.index,
      end_index: match.index + linkText.length,
      file_path: { file_id: fileId },
    });
  }
  return annotations.sort((a, b) => a.start_index - b.start_index);
}

import { type Annotation, type AnnotationSources, annotate } from './message-annotations.js';

/** An annotation as a `thread.message.delta` carries it: with its position in the message's list. */
export type IndexedAnnotation = Annotation & { index: number };

/** Longest marker or sandbox path looked for across delta boundaries; longer ones are found when the text ends. */
const MAX_MARKER_CHARACTERS = 1024;
/** What ends a `sandbox:` path (see SANDBOX_PATH in message-annotations.ts). */
const PATH_END = /[\s)\]'"<>`]/;

/**
 * Finds a message's annotations while its text streams, so each goes out in the delta whose text completes it,
 * with indices into the whole text, as OpenAI streams them. Only the text near the end is scanned again, so a
 * long answer costs linear time.
 */
export class StreamedAnnotations {
  readonly #sources: AnnotationSources;
  readonly #sent: Annotation[] = [];

  constructor(sources: AnnotationSources) {
    this.#sources = sources;
  }

  /** Annotations the text completed since the last call (`previousLength`: the text's length then). */
  next(text: string, previousLength: number): IndexedAnnotation[] {
    const sentEnd = this.#sent.at(-1)?.end_index ?? 0;
    const from = Math.max(sentEnd, previousLength - MAX_MARKER_CHARACTERS, 0);
    const found = annotate(text.slice(from), this.#sources).map((annotation) => shifted(annotation, from));
    const fresh: IndexedAnnotation[] = [];
    for (const annotation of found) {
      if (annotation.start_index < sentEnd) continue;
      // Annotations go out in text order: one still open holds back those after it.
      if (!isComplete(annotation, text)) break;
      fresh.push(this.#send(annotation));
    }
    return fresh;
  }

  /** Once the text is final: every annotation of the message, and those not sent yet. */
  finish(text: string): { all: Annotation[]; unsent: IndexedAnnotation[] } {
    const all = annotate(text, this.#sources);
    const unsent = all.slice(this.#sent.length).map((annotation) => this.#send(annotation));
    return { all, unsent };
  }

  #send(annotation: Annotation): IndexedAnnotation {
    const indexed = { index: this.#sent.length, ...annotation };
    this.#sent.push(annotation);
    return indexed;
  }
}

function shifted(annotation: Annotation, offset: number): Annotation {
  return { ...annotation, start_index: annotation.start_index + offset, end_index: annotation.end_index + offset };
}

/** A citation marker is complete once closed; a path only once something that ends paths follows it. */
function isComplete(annotation: Annotation, text: string): boolean {
  if (annotation.type === 'file_citation') return true;
  return PATH_END.test(text.slice(annotation.end_index, annotation.end_index + 64));
}

/**
 * A file that cannot be turned into text. The message is written for the API user (it becomes the
 * vector store file's `last_error.message`), so it names the format and the reason, never a stack.
 */
export class ExtractionError extends Error {
  /** The detected format, or null when the format itself is the problem. */
  readonly format: string | null;

  constructor(message: string, format: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExtractionError';
    this.format = format;
  }
}

/** A library's error as a short, single-line reason. */
export function describeCause(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  return firstLine.length > 200 ? `${firstLine.slice(0, 200)}…` : firstLine || 'unknown error';
}

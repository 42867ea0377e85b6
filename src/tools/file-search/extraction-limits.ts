import { ExtractionError } from './extraction-error.js';

/**
 * Caps on what one file may cost to turn into text. Each exists because a small upload can ask for a
 * huge amount of work: a 1 MB ZIP bomb named `.docx` inflates to gigabytes, a PDF can declare 10,000
 * pages in a few kilobytes. A file over a cap fails with a `last_error` that says which cap it hit.
 */
export interface ExtractionLimits {
  /** Uncompressed bytes of everything a DOCX or PPTX holds, measured by inflating it (declared sizes can lie). */
  readonly maxDecompressedBytes: number;
  /** Pages of a PDF. */
  readonly maxPdfPages: number;
  /** Characters of text one file may yield, whatever its format. */
  readonly maxTextCharacters: number;
}

export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = Object.freeze({
  maxDecompressedBytes: 256 * 1024 * 1024,
  maxPdfPages: 5_000,
  maxTextCharacters: 100_000_000,
});

/** Counts the characters extracted so far and fails the file once they pass the cap. */
export class TextBudget {
  #used = 0;

  constructor(private readonly maxCharacters: number) {}

  /** Records `text`; throws `ExtractionError` when the file's text is now over the cap. */
  spend(text: string, format: string): void {
    this.#used += text.length;
    if (this.#used > this.maxCharacters) {
      throw new ExtractionError(
        `The file's extracted text is longer than this server's limit of ${formatCount(this.maxCharacters)} ` +
          'characters per file.',
        format,
      );
    }
  }
}

/** `1234567` → `1,234,567` (messages read by people). */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** Bytes as whole megabytes for messages (`134217728` → `128 MB`). */
export function formatMegabytes(bytes: number): string {
  return `${formatCount(Math.round(bytes / (1024 * 1024)))} MB`;
}

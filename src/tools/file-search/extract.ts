import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { convert as htmlToText } from 'html-to-text';
import { type DocumentFormat, detectFormat, SNIFF_BYTES } from './detect-format.js';
import { extractDocxText, extractPptxText } from './extract-office.js';
import { extractPdfPages } from './extract-pdf.js';
import { describeCause, ExtractionError } from './extraction-error.js';
import { DEFAULT_EXTRACTION_LIMITS, type ExtractionLimits, TextBudget } from './extraction-limits.js';

export type { DocumentFormat } from './detect-format.js';
export { ExtractionError } from './extraction-error.js';
export { DEFAULT_EXTRACTION_LIMITS, type ExtractionLimits } from './extraction-limits.js';

/** A file to extract: its bytes in memory, or a path on disk (preferred for large files). */
export type ExtractionInput = ({ bytes: Uint8Array; path?: never } | { path: string; bytes?: never }) & {
  /** The name the file was uploaded with; its extension is a format hint. */
  filename: string;
  mimeType?: string | undefined;
};

export interface ExtractedText {
  text: string;
  format: DocumentFormat;
}

/** Formats whose text is the file itself, which can therefore stream in bounded memory. */
const PLAIN_FORMATS: ReadonlySet<DocumentFormat> = new Set(['text', 'markdown', 'code', 'json']);
const STREAM_PIECE_BYTES = 64 * 1024;

/** The whole text of a file. Throws `ExtractionError` with a user-presentable message. */
export async function extractText(
  input: ExtractionInput,
  limits: ExtractionLimits = DEFAULT_EXTRACTION_LIMITS,
): Promise<ExtractedText> {
  const bytes = input.bytes ?? (await readWholeFile(input.path as string, input.filename));
  const { format, pieces } = await extractTextStream(
    { bytes, filename: input.filename, mimeType: input.mimeType },
    limits,
  );
  let text = '';
  for await (const piece of pieces) text += piece;
  return { format, text };
}

/**
 * The text of a file as a stream of pieces. Plain-text formats read from a path are decoded 64 KB at
 * a time, so memory stays flat however large the file; PDFs come a page at a time; other formats need
 * the whole file to parse and yield their text as one piece. Every format is held to `limits`.
 */
export async function extractTextStream(
  input: ExtractionInput,
  limits: ExtractionLimits = DEFAULT_EXTRACTION_LIMITS,
): Promise<{ format: DocumentFormat; pieces: AsyncGenerator<string> }> {
  if (input.bytes !== undefined) {
    const format = await detectFormat(input.bytes.subarray(0, SNIFF_BYTES), input.filename, input.mimeType);
    return { format, pieces: withinBudget(extractFromBytes(input.bytes, format, limits), format, limits) };
  }
  const path = input.path as string;
  const head = await readHead(path, input.filename);
  const format = await detectFormat(head, input.filename, input.mimeType);
  if (!PLAIN_FORMATS.has(format)) {
    const bytes = await readWholeFile(path, input.filename);
    return { format, pieces: withinBudget(extractFromBytes(bytes, format, limits), format, limits) };
  }
  return { format, pieces: withinBudget(decodeFileStream(path, encodingOf(head)), format, limits) };
}

async function* withinBudget(
  pieces: AsyncGenerator<string>,
  format: DocumentFormat,
  limits: ExtractionLimits,
): AsyncGenerator<string> {
  const budget = new TextBudget(limits.maxTextCharacters);
  for await (const piece of pieces) {
    budget.spend(piece, format);
    yield piece;
  }
}

async function* extractFromBytes(
  bytes: Uint8Array,
  format: DocumentFormat,
  limits: ExtractionLimits,
): AsyncGenerator<string> {
  if (format === 'pdf') yield* extractPdfPages(bytes, limits);
  else yield await extractWholeText(bytes, format, limits);
}

async function extractWholeText(
  bytes: Uint8Array,
  format: Exclude<DocumentFormat, 'pdf'>,
  limits: ExtractionLimits,
): Promise<string> {
  switch (format) {
    case 'docx':
      return extractDocxText(bytes, limits.maxDecompressedBytes);
    case 'pptx':
      return extractPptxText(bytes, limits.maxDecompressedBytes);
    case 'html':
      return htmlToText(decodeText(bytes, format), {
        wordwrap: false,
        selectors: [
          { selector: 'a', options: { ignoreHref: true } },
          { selector: 'img', format: 'skip' },
        ],
      });
    case 'json': {
      const text = decodeText(bytes, format);
      try {
        JSON.parse(text);
      } catch (error) {
        throw new ExtractionError(`The file is JSON but could not be parsed: ${describeCause(error)}.`, 'json', {
          cause: error,
        });
      }
      return text;
    }
    case 'text':
    case 'markdown':
    case 'code':
      return decodeText(bytes, format);
  }
}

type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function encodingOf(head: Uint8Array): TextEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** UTF-8 (or UTF-16 with a BOM); text that is not valid UTF-8 is read as Windows-1252, its usual origin. */
function decodeText(bytes: Uint8Array, format: DocumentFormat): string {
  const encoding = encodingOf(bytes);
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    if (encoding !== 'utf-8')
      throw new ExtractionError(`The file is ${format} text but is not valid ${encoding.toUpperCase()}.`, format);
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

async function* decodeFileStream(path: string, encoding: TextEncoding): AsyncGenerator<string> {
  // A streaming decoder carries a multi-byte character split across two reads into the next piece.
  const decoder = new TextDecoder(encoding);
  for await (const piece of createReadStream(path, { highWaterMark: STREAM_PIECE_BYTES })) {
    const text = decoder.decode(piece as Buffer, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

async function readHead(path: string, filename: string): Promise<Uint8Array> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ExtractionError(`The file '${filename}' could not be read: ${describeCause(error)}.`, null, {
      cause: error,
    });
  }
}

async function readWholeFile(path: string, filename: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ExtractionError(`The file '${filename}' could not be read: ${describeCause(error)}.`, null, {
      cause: error,
    });
  }
}

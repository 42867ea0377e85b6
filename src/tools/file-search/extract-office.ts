import { type UnzipFileInfo, unzipSync } from 'fflate';
import mammoth from 'mammoth';
import { describeCause, ExtractionError } from './extraction-error.js';
import { DEFAULT_EXTRACTION_LIMITS } from './extraction-limits.js';
import { assertZipExpansionWithin } from './zip-expansion.js';

/**
 * A DOCX's text, paragraphs separated by blank lines (mammoth's raw text). Mammoth inflates whole
 * parts into memory, so the archive's real uncompressed size is checked first.
 */
export async function extractDocxText(
  bytes: Uint8Array,
  maxDecompressedBytes = DEFAULT_EXTRACTION_LIMITS.maxDecompressedBytes,
): Promise<string> {
  assertZipExpansionWithin(bytes, maxDecompressedBytes, 'docx');
  try {
    const result = await mammoth.extractRawText({
      buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
    return result.value.replace(/\n{3,}/g, '\n\n').trim();
  } catch (error) {
    throw new ExtractionError(`The file is a DOCX document but could not be parsed: ${describeCause(error)}.`, 'docx', {
      cause: error,
    });
  }
}

/**
 * A PPTX's text: each slide's paragraphs (`<a:p>`), then its speaker notes, slides in order.
 * Read straight from the package's XML: a full Office parser would bring OCR and far more code.
 */
export function extractPptxText(
  bytes: Uint8Array,
  maxDecompressedBytes = DEFAULT_EXTRACTION_LIMITS.maxDecompressedBytes,
): string {
  assertZipExpansionWithin(bytes, maxDecompressedBytes, 'pptx');
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file: UnzipFileInfo) => /^ppt\/(slides|notesSlides)\/[a-zA-Z]+\d+\.xml$/.test(file.name),
    });
  } catch (error) {
    throw new ExtractionError(
      `The file is a PPTX presentation but could not be parsed: ${describeCause(error)}.`,
      'pptx',
      { cause: error },
    );
  }
  const decoder = new TextDecoder();
  const slides = slideNumbers(files, 'slides').map((number) => {
    const slide = paragraphs(decoder.decode(files[`ppt/slides/slide${number}.xml`]));
    const notesFile = files[`ppt/notesSlides/notesSlide${number}.xml`];
    const notes = notesFile ? paragraphs(decoder.decode(notesFile)) : [];
    return [...slide, ...notes].join('\n');
  });
  if (slides.length === 0) throw new ExtractionError('The file is a PPTX presentation but has no slides.', 'pptx');
  return slides.filter((slide) => slide.length > 0).join('\n\n');
}

function slideNumbers(files: Record<string, Uint8Array>, folder: string): number[] {
  const pattern = new RegExp(`^ppt/${folder}/slide(\\d+)\\.xml$`);
  return Object.keys(files)
    .map((name) => pattern.exec(name)?.[1])
    .filter((number): number is string => number !== undefined)
    .map(Number)
    .sort((left, right) => left - right);
}

function paragraphs(xml: string): string[] {
  const output: string[] = [];
  for (const paragraph of xml.split(/<\/a:p>/)) {
    const runs = [...paragraph.matchAll(/<a:t(?:\s[^>]*)?>([^<]*)<\/a:t>/g)].map((match) => decodeXml(match[1] ?? ''));
    const text = runs.join('').trim();
    if (text.length > 0) output.push(text);
  }
  return output;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return safeCodePoint(Number.parseInt(entity.slice(2), 16), whole);
    if (entity.startsWith('#')) return safeCodePoint(Number.parseInt(entity.slice(1), 10), whole);
    return XML_ENTITIES[entity] ?? whole;
  });
}

function safeCodePoint(value: number, fallback: string): string {
  return Number.isInteger(value) && value >= 0 && value <= 0x10ffff ? String.fromCodePoint(value) : fallback;
}

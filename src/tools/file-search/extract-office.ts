import { unzipSync, type UnzipFileInfo } from 'fflate';
import mammoth from 'mammoth';
import { describeCause, ExtractionError } from './extraction-error.js';

/** Uncompressed XML we accept from one PPTX: far above real decks, far below a zip bomb. */
const MAX_PPTX_XML_BYTES = 256 * 1024 * 1024;

/** A DOCX's text, paragraphs separated by blank lines (mammoth's raw text). */
export async function extractDocxText(bytes: Uint8Array): Promise<string> {
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    return result.value.replace(/\n{3,}/g, '\n\n').trim();
  } catch (error) {
    throw new ExtractionError(`The file is a DOCX document but could not be parsed: ${describeCause(error)}.`, 'docx', { cause: error });
  }
}

/**
 * A PPTX's text: each slide's paragraphs (`<a:p>`), then its speaker notes, slides in order.
 * Read straight from the package's XML: a full Office parser would bring OCR and far more code.
 */
export function extractPptxText(bytes: Uint8Array): string {
  let files: Record<string, Uint8Array>;
  try {
    let total = 0;
    files = unzipSync(bytes, {
      filter: (file: UnzipFileInfo) => {
        if (!/^ppt\/(slides|notesSlides)\/[a-zA-Z]+\d+\.xml$/.test(file.name)) return false;
        total += file.originalSize;
        if (total > MAX_PPTX_XML_BYTES) throw new Error('the slides are too large once uncompressed');
        return true;
      },
    });
  } catch (error) {
    throw new ExtractionError(`The file is a PPTX presentation but could not be parsed: ${describeCause(error)}.`, 'pptx', { cause: error });
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

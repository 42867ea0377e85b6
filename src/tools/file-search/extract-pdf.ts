import { getDocumentProxy } from 'unpdf';
import { describeCause, ExtractionError } from './extraction-error.js';
import { DEFAULT_EXTRACTION_LIMITS, formatCount, TextBudget } from './extraction-limits.js';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** The text of every page, pages separated by a blank line. */
export async function extractPdfText(
  bytes: Uint8Array,
  limits: { maxPdfPages: number; maxTextCharacters: number } = DEFAULT_EXTRACTION_LIMITS,
): Promise<string> {
  const pages: string[] = [];
  for await (const page of extractPdfPages(bytes, limits)) pages.push(page);
  return pages.join('\n\n');
}

/**
 * The text of each page that has any, one page at a time (unpdf's `extractText` parses every page at
 * once). A PDF with more pages than `maxPdfPages`, or more text than `maxTextCharacters`, fails.
 */
export async function* extractPdfPages(
  bytes: Uint8Array,
  limits: { maxPdfPages: number; maxTextCharacters: number } = DEFAULT_EXTRACTION_LIMITS,
): AsyncGenerator<string> {
  const document = await openDocument(bytes);
  try {
    if (document.numPages > limits.maxPdfPages) {
      throw new ExtractionError(
        `The file is a PDF of ${formatCount(document.numPages)} pages, more than this server's limit of ` +
          `${formatCount(limits.maxPdfPages)} pages per file.`,
        'pdf',
      );
    }
    const budget = new TextBudget(limits.maxTextCharacters);
    let found = false;
    for (let number = 1; number <= document.numPages; number++) {
      const text = (await pageText(document, number)).trim();
      if (text.length === 0) continue;
      budget.spend(text, 'pdf');
      // Pages are joined by a blank line, as before pages were streamed.
      yield found ? `\n\n${text}` : text;
      found = true;
    }
    if (!found) {
      throw new ExtractionError(
        'The file is a PDF but contains no extractable text (it may hold only scanned images).',
        'pdf',
      );
    }
  } finally {
    await document.destroy();
  }
}

async function openDocument(bytes: Uint8Array): Promise<PdfDocument> {
  try {
    // pdf.js takes ownership of the buffer it is given, so it gets a copy; a plain Uint8Array copy,
    // because unpdf rejects a Node Buffer (which `fs.readFile` returns and `Buffer#slice` keeps).
    // Verbosity 0 keeps its warnings ("Indexing all PDF objects") out of the server log.
    return await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (error) {
    throw parseError(error);
  }
}

/** A page's text as unpdf builds it: every item's string, a newline where the item ends a line. */
async function pageText(document: PdfDocument, number: number): Promise<string> {
  try {
    const page = await document.getPage(number);
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if ('str' in item && item.str != null) text += item.hasEOL ? `${item.str}\n` : item.str;
    }
    page.cleanup();
    return text;
  } catch (error) {
    throw parseError(error);
  }
}

function parseError(error: unknown): ExtractionError {
  const reason = /password/i.test(describeCause(error)) ? 'it is encrypted with a password' : describeCause(error);
  return new ExtractionError(`The file is a PDF but could not be parsed: ${reason}.`, 'pdf', { cause: error });
}

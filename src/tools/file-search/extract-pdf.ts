import { extractText as extractPdfPages, getDocumentProxy } from 'unpdf';
import { describeCause, ExtractionError } from './extraction-error.js';

/** The text of every page, pages separated by a blank line. */
export async function extractPdfText(bytes: Uint8Array): Promise<string> {
  let pages: string[];
  try {
    // pdf.js takes ownership of the buffer it is given, so it gets a copy; a plain Uint8Array copy,
    // because unpdf rejects a Node Buffer (which `fs.readFile` returns and `Buffer#slice` keeps).
    // Verbosity 0 keeps its warnings ("Indexing all PDF objects") out of the server log.
    const document = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      pages = (await extractPdfPages(document, { mergePages: false })).text;
    } finally {
      await document.destroy();
    }
  } catch (error) {
    const reason = /password/i.test(describeCause(error)) ? 'it is encrypted with a password' : describeCause(error);
    throw new ExtractionError(`The file is a PDF but could not be parsed: ${reason}.`, 'pdf', { cause: error });
  }
  const text = pages.map((page) => page.trim()).filter((page) => page.length > 0).join('\n\n');
  if (text.length === 0) {
    throw new ExtractionError('The file is a PDF but contains no extractable text (it may hold only scanned images).', 'pdf');
  }
  return text;
}

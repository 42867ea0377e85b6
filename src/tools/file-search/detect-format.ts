import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { ExtractionError } from './extraction-error.js';

export type DocumentFormat = 'text' | 'markdown' | 'html' | 'json' | 'code' | 'pdf' | 'docx' | 'pptx';

/** How many leading bytes the sniffer needs (file-type reads up to 4,100; zip entries need more). */
export const SNIFF_BYTES = 64 * 1024;

const EXTENSION_FORMATS: Readonly<Record<string, DocumentFormat>> = {
  '.txt': 'text',
  '.text': 'text',
  '.log': 'text',
  '.csv': 'text',
  '.tsv': 'text',
  '.rst': 'text',
  '.tex': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.json': 'json',
  '.jsonl': 'text',
  '.ndjson': 'text',
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.pptx': 'pptx',
};

/** Source code is indexed as plain text; these are the extensions OpenAI's file_search lists, and a few more. */
const CODE_EXTENSIONS = new Set([
  '.c',
  '.cc',
  '.cpp',
  '.cxx',
  '.h',
  '.hpp',
  '.cs',
  '.css',
  '.go',
  '.java',
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.php',
  '.py',
  '.rb',
  '.sh',
  '.bash',
  '.zsh',
  '.rs',
  '.swift',
  '.kt',
  '.kts',
  '.scala',
  '.sql',
  '.r',
  '.lua',
  '.pl',
  '.m',
  '.dart',
  '.vue',
  '.svelte',
  '.yaml',
  '.yml',
  '.toml',
  '.ini',
  '.xml',
  '.gradle',
  '.ps1',
  '.bat',
]);

const MIME_FORMATS: Readonly<Record<string, DocumentFormat>> = {
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/html': 'html',
  'application/json': 'json',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
};

/**
 * The format of a file from its leading bytes, name and declared type, in that order of trust:
 * magic bytes cannot lie about a binary format, and a name is a better hint than a client's MIME type.
 */
export async function detectFormat(head: Uint8Array, filename: string, mimeType?: string): Promise<DocumentFormat> {
  const extension = path.extname(filename).toLowerCase();
  const sniffed = await fileTypeFromBuffer(head).catch(() => undefined);
  if (sniffed) {
    if (sniffed.ext === 'pdf') return 'pdf';
    if (sniffed.ext === 'docx' || sniffed.ext === 'pptx') return sniffed.ext;
    // Office files whose first zip entry is not the one file-type reads still say what they are by name.
    if (sniffed.ext === 'zip' && (extension === '.docx' || extension === '.pptx'))
      return extension === '.docx' ? 'docx' : 'pptx';
    // Weak magic numbers match ordinary text: "BM..." is a BMP header, "....wide" a QuickTime atom.
    // Real binaries of those kinds have NUL bytes in their headers; valid UTF-8 without any is text.
    if (!isTextLike(sniffed.mime) && !isUtf8Text(head)) {
      throw new ExtractionError(
        `The file '${filename}' appears to be ${sniffed.mime} (.${sniffed.ext}), which file search does not support. ` +
          'Supported formats are text, Markdown, HTML, JSON, source code, PDF, DOCX and PPTX.',
      );
    }
  }
  const byExtension = EXTENSION_FORMATS[extension] ?? (CODE_EXTENSIONS.has(extension) ? 'code' : undefined);
  if (byExtension === 'pdf' || byExtension === 'docx' || byExtension === 'pptx') {
    // The name promises a binary format the bytes do not have.
    throw new ExtractionError(
      `The file '${filename}' has a ${extension} name but is not a valid ${byExtension.toUpperCase()} file.`,
      byExtension,
    );
  }
  if (byExtension) return byExtension;
  const byMime = mimeType ? MIME_FORMATS[mimeType.split(';')[0]?.trim().toLowerCase() ?? ''] : undefined;
  if (byMime && byMime !== 'pdf' && byMime !== 'docx' && byMime !== 'pptx') return byMime;
  if (looksLikeText(head)) return mimeType?.startsWith('text/x-') ? 'code' : 'text';
  throw new ExtractionError(
    `The file '${filename}' is not a supported format for file search. Supported formats are text, Markdown, HTML, JSON, source code, PDF, DOCX and PPTX.`,
  );
}

function isTextLike(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'application/xml' || mime === 'application/json';
}

/** Text by `looksLikeText` that also decodes as UTF-8 (a character cut at the end of the sample is fine). */
function isUtf8Text(head: Uint8Array): boolean {
  if (!looksLikeText(head)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** No NUL bytes in the sample: binary formats almost always have some, text never does (UTF-16 aside). */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)))
    return true;
  return !head.subarray(0, 8192).includes(0);
}

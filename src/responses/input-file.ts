import { type ApiError, errors } from '../errors.js';
import type { BlobStore } from '../files/blob-store.js';
import { withLocalPath } from '../files/local-copy.js';
import type { Store } from '../store/store.js';
import { ExtractionError } from '../tools/file-search/extraction-error.js';
import { type JsonObject, optionalString } from './input-fields.js';

/**
 * `input_file` content parts (a stored file by `file_id`, or the file itself as `file_data`, base64 or a data URL):
 * the model gets the file's text, extracted off the event loop by the processes that extract files for file_search,
 * under their limits, and held to the size limit of files (MAX_FILE_BYTES). A file given by URL (`file_url`) is not
 * fetched: that is a 400 naming the field.
 */

/** A file for the extractor: the stored blob's path on disk, or the bytes a request carried. */
export interface InputFileToExtract {
  source: { path: string } | { bytes: Uint8Array };
  filename: string;
  mimeType: string | undefined;
}

/** What reading `input_file` parts needs from the server (the services pass it in). */
export interface InputFileSupport {
  blobs: BlobStore;
  /** Extracts a file's text in the ingestion processes; throws `ExtractionError` for a file it cannot read. */
  extractor: { extractText(file: InputFileToExtract): Promise<{ text: string }> };
  /** The largest file the server takes (MAX_FILE_BYTES). */
  maxFileBytes: number;
}

/** A file's text, and the name it goes to the model under. */
export interface InputFileText {
  filename: string;
  text: string;
}

/** The file name used when `file_data` comes without one. */
const UNNAMED_FILE = 'file';

/** Reads an `input_file` part (`param` is where it sits: `input[0].content[1]`). */
export async function readInputFile(
  support: InputFileSupport,
  store: Store,
  project: string,
  part: JsonObject,
  param: string,
): Promise<InputFileText> {
  const fileId = optionalString(part, 'file_id', param);
  const fileData = optionalString(part, 'file_data', param);
  const fileUrl = optionalString(part, 'file_url', param);
  const filename = optionalString(part, 'filename', param);
  const given = [fileId, fileData, fileUrl].filter((value) => value !== undefined).length;
  if (given > 1) {
    throw errors.invalidParameter(param, "give only one of 'file_id', 'file_data' and 'file_url'");
  }
  if (fileUrl !== undefined) {
    throw errors.invalidParameter(
      `${param}.file_url`,
      "files by URL are not fetched by this server; send the file as 'file_data' or upload it and send its 'file_id'",
    );
  }
  if (fileId !== undefined) return storedFileText(support, store, project, fileId, param);
  if (fileData === undefined) throw errors.missingParameter(`${param}.file_data`);
  const { bytes, mimeType } = decodeFileData(fileData, `${param}.file_data`, support.maxFileBytes);
  const name = filename ?? UNNAMED_FILE;
  const { text } = await extract(support, { source: { bytes }, filename: name, mimeType }, param);
  return { filename: name, text };
}

/**
 * The part as the model reads it: the file's text inside a tag naming the file, so the model can tell the file from
 * the user's own words and refer to it by name.
 */
export function inputFilePrompt({ filename, text }: InputFileText): string {
  return `<file name="${filename.replace(/["\r\n]/g, '')}">\n${text}\n</file>`;
}

async function storedFileText(
  support: InputFileSupport,
  store: Store,
  project: string,
  fileId: string,
  param: string,
): Promise<InputFileText> {
  const stored = await store.files.get(project, fileId);
  if (!stored) throw errors.fileNotFound(fileId, `${param}.file_id`);
  if (stored.file.bytes > support.maxFileBytes) {
    throw tooLarge(`${param}.file_id`, stored.file.bytes, support.maxFileBytes);
  }
  const { text } = await withLocalPath(support.blobs, stored.blobKey, (path) =>
    extract(support, { source: { path }, filename: stored.file.filename, mimeType: stored.contentType }, param),
  );
  return { filename: stored.file.filename, text };
}

/** `data:<media type>;base64,<data>`, or the base64 alone. */
const DATA_URL = /^data:([^;,]*)(?:;[^,]*)?;base64,/;

function decodeFileData(
  value: string,
  param: string,
  maxFileBytes: number,
): { bytes: Uint8Array; mimeType: string | undefined } {
  const header = DATA_URL.exec(value.slice(0, 256));
  if (value.startsWith('data:') && !header) {
    throw errors.invalidParameter(param, "expected base64 data or a data URL such as 'data:application/pdf;base64,…'");
  }
  const data = header ? value.slice(header[0].length) : value;
  // Decoding is native and linear, and the data is within the request body's limit already. Characters outside
  // base64 are skipped (line breaks, as MIME wraps it); bytes that are no file the extractor reads are its 400.
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > maxFileBytes) throw tooLarge(param, bytes.length, maxFileBytes);
  if (bytes.length === 0) throw errors.invalidParameter(param, 'the file is empty');
  return { bytes, mimeType: header?.[1] || undefined };
}

function tooLarge(param: string, bytes: number, maxBytes: number): ApiError {
  return errors.invalidParameter(param, `the file is ${bytes} bytes, but the maximum file size is ${maxBytes} bytes`);
}

/** The extractor's refusal (a format it cannot read, a limit) is the client's 400, naming the part. */
async function extract(support: InputFileSupport, file: InputFileToExtract, param: string): Promise<{ text: string }> {
  try {
    return await support.extractor.extractText(file);
  } catch (error) {
    if (!(error instanceof ExtractionError)) throw error;
    throw errors.invalidParameter(param, `the file's text could not be read: ${error.message.replace(/\.$/, '')}`);
  }
}

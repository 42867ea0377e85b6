import { Inflate } from 'fflate';
import { ExtractionError } from './extraction-error.js';
import { formatMegabytes } from './extraction-limits.js';

/** Compressed bytes inflated per step: at DEFLATE's ~1,000:1 ceiling one step yields about 1 MB, then dropped. */
const INFLATE_STEP_BYTES = 1024;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const ZIP64_EXTRA_FIELD = 0x0001;
const MAX_32 = 0xffffffff;

interface Entry {
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

class ExpansionLimitReached extends Error {}

/**
 * Fails an office file (a ZIP archive) whose contents inflate to more than `maxBytes`, before any parser
 * inflates it for real. The sizes a ZIP declares can lie, so every entry the central directory lists
 * (what the parsers read) is actually inflated, a step at a time, counting the output and keeping none
 * of it: memory stays flat however large the bomb. An archive this cannot read is left to the parser,
 * whose error says what is wrong with it.
 */
export function assertZipExpansionWithin(bytes: Uint8Array, maxBytes: number, format: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = centralDirectory(view);
  if (entries === undefined) return;
  let total = 0;
  const spend = (count: number): void => {
    total += count;
    if (total > maxBytes) throw new ExpansionLimitReached();
  };
  try {
    for (const entry of entries) {
      if (entry.method === STORED) spend(entry.compressedSize);
      else if (entry.method === DEFLATED) inflateCounting(bytes, view, entry, spend);
      else spend(entry.uncompressedSize);
    }
  } catch (error) {
    if (!(error instanceof ExpansionLimitReached)) throw error;
    throw new ExtractionError(
      `The file is a ${format.toUpperCase()} document whose contents expand to more than this server's limit of ` +
        `${formatMegabytes(maxBytes)} when uncompressed (a ZIP bomb, or far larger than any real document).`,
      format,
    );
  }
}

function inflateCounting(bytes: Uint8Array, view: DataView, entry: Entry, spend: (count: number) => void): void {
  const start = dataStart(view, entry.localHeaderOffset);
  if (start === undefined) return;
  const end = Math.min(bytes.length, start + entry.compressedSize);
  const inflate = new Inflate((chunk) => spend(chunk.length));
  try {
    for (let offset = start; offset < end; offset += INFLATE_STEP_BYTES) {
      const stop = Math.min(end, offset + INFLATE_STEP_BYTES);
      inflate.push(bytes.subarray(offset, stop), stop === end);
    }
  } catch (error) {
    // Corrupt data is the parser's to report; only the limit matters here.
    if (error instanceof ExpansionLimitReached) throw error;
  }
}

function dataStart(view: DataView, offset: number): number | undefined {
  if (offset + 30 > view.byteLength || view.getUint32(offset, true) !== LOCAL_FILE_HEADER) return undefined;
  return offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
}

/** The entries listed by the central directory (ZIP64 included), or undefined when there is none. */
function centralDirectory(view: DataView): Entry[] | undefined {
  const end = findEndOfCentralDirectory(view);
  if (end === undefined) return undefined;
  let count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  if (count === 0xffff || offset === MAX_32) {
    const zip64 = zip64Directory(view, end);
    if (zip64 === undefined) return undefined;
    ({ count, offset } = zip64);
  }
  const entries: Entry[] = [];
  for (let index = 0; index < count; index++) {
    if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_DIRECTORY_ENTRY) break;
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const entry: Entry = {
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      uncompressedSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
    };
    applyZip64Extra(view, offset + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(view: DataView): number | undefined {
  // The record is 22 bytes plus a comment of at most 65,535.
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= lowest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return undefined;
}

function zip64Directory(view: DataView, end: number): { count: number; offset: number } | undefined {
  const locator = end - 20;
  if (locator < 0 || view.getUint32(locator, true) !== ZIP64_END_LOCATOR) return undefined;
  const record = Number(view.getBigUint64(locator + 8, true));
  if (record + 56 > view.byteLength || view.getUint32(record, true) !== ZIP64_END_OF_CENTRAL_DIRECTORY)
    return undefined;
  return { count: Number(view.getBigUint64(record + 32, true)), offset: Number(view.getBigUint64(record + 48, true)) };
}

/** Sizes and offset that did not fit 32 bits live in the ZIP64 extra field, in this order. */
function applyZip64Extra(view: DataView, start: number, length: number, entry: Entry): void {
  const end = Math.min(view.byteLength, start + length);
  for (let offset = start; offset + 4 <= end; ) {
    const id = view.getUint16(offset, true);
    const size = view.getUint16(offset + 2, true);
    if (id === ZIP64_EXTRA_FIELD) {
      let field = offset + 4;
      const next = (): number => {
        const value = field + 8 <= end ? Number(view.getBigUint64(field, true)) : MAX_32;
        field += 8;
        return value;
      };
      if (entry.uncompressedSize === MAX_32) entry.uncompressedSize = next();
      if (entry.compressedSize === MAX_32) entry.compressedSize = next();
      if (entry.localHeaderOffset === MAX_32) entry.localHeaderOffset = next();
      return;
    }
    offset += 4 + size;
  }
}

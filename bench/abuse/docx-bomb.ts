import { constants, crc32, deflateRawSync } from 'node:zlib';
import { Zip, type ZipInputFile, ZipPassThrough } from 'fflate';

/**
 * A DOCX-shaped ZIP bomb: a valid Word package whose `word/document.xml` inflates to about `inflatedBytes`
 * of repeated text ("lol lol lol ...") inside one paragraph, from about a thousandth of that.
 *
 * The container is fflate's `Zip`. Compressing 2 GB would take ~40 s, so one MiB of text is deflated once,
 * ending on a byte boundary with a non-final block (a sync flush), and those bytes are repeated: each copy
 * refers only to text it wrote itself, so the concatenation is a valid DEFLATE stream. The text repeats every 4 bytes
 * because DEFLATE codes distances up to 4 with no extra bits: ~1,000:1, where a 45-byte sentence gets 340:1.
 */
export function buildDocxBomb(inflatedBytes: number): Uint8Array {
  const filler = new Uint8Array(MIB);
  for (let index = 0; index < MIB; index += 1) filler[index] = PATTERN.charCodeAt(index % PATTERN.length);
  const copies = Math.max(1, Math.floor(inflatedBytes / MIB));
  const prefix = new TextEncoder().encode(
    `${XML_DECLARATION}<w:document xmlns:w="${OPENXML}/wordprocessingml/2006/main">` +
      '<w:body><w:p><w:r><w:t xml:space="preserve">',
  );
  const suffix = new TextEncoder().encode('</w:t></w:r></w:p></w:body></w:document>');

  let crc = crc32(prefix);
  for (let copy = 0; copy < copies; copy += 1) crc = crc32(filler, crc);
  crc = crc32(suffix, crc);

  const output: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    output.push(chunk);
  });
  addStored(zip, '[Content_Types].xml', CONTENT_TYPES);
  addStored(zip, '_rels/.rels', RELATIONSHIPS);
  const document: ZipInputFile = {
    filename: 'word/document.xml',
    size: prefix.length + copies * MIB + suffix.length,
    crc,
    compression: 8,
  };
  zip.add(document);
  const push = (chunk: Uint8Array<ArrayBuffer>, final: boolean): void => document.ondata?.(null, chunk, final);
  push(deflateSegment(prefix, false), false);
  const fillerSegment = deflateSegment(filler, false);
  for (let copy = 0; copy < copies; copy += 1) push(fillerSegment, false);
  push(deflateSegment(suffix, true), true);
  zip.end();
  return concat(output);
}

const MIB = 1024 * 1024;
const PATTERN = 'lol ';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const OPENXML = 'http://schemas.openxmlformats.org';
const CONTENT_TYPES =
  `${XML_DECLARATION}<Types xmlns="${OPENXML}/package/2006/content-types">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ' +
  'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const RELATIONSHIPS =
  `${XML_DECLARATION}<Relationships xmlns="${OPENXML}/package/2006/relationships">` +
  `<Relationship Id="rId1" Type="${OPENXML}/officeDocument/2006/relationships/officeDocument" ` +
  'Target="word/document.xml"/></Relationships>';

function addStored(zip: Zip, filename: string, text: string): void {
  const entry = new ZipPassThrough(filename);
  zip.add(entry);
  entry.push(new TextEncoder().encode(text), true);
}

/**
 * `data` deflated on its own: a sync-flushed non-final segment, or the stream's final one. node:zlib, not
 * fflate: fflate 0.8.3's `Deflate.flush(true)` writes a broken empty stored block after some inputs
 * (the XML prefix here), which every inflater rejects.
 */
function deflateSegment(data: Uint8Array, final: boolean): Uint8Array<ArrayBuffer> {
  return deflateRawSync(data, { level: 9, finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

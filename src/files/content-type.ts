import mime from 'mime-types';

const TOKEN = '[A-Za-z0-9!#$&^_.+-]+';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\\\r\\n]*"))*$`);

/**
 * Whether `value` is a well-formed media type (`type/subtype` with optional parameters). We serve
 * declared types back as a response header, so anything else (CR/LF, free text) must not get through.
 */
export function isMediaType(value: string): boolean {
  return value.length <= 255 && MEDIA_TYPE.test(value);
}

/**
 * The media type to serve a file's bytes with: what the client declared, unless that was the
 * generic `application/octet-stream` many clients send (or malformed), in which case the filename decides.
 */
export function guessContentType(filename: string, declared?: string): string {
  if (declared && declared !== 'application/octet-stream' && isMediaType(declared)) return declared;
  return mime.lookup(filename) || 'application/octet-stream';
}

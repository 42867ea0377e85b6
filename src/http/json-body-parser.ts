import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Storing and serialising a value recurse once per
 * level, so a 100,000-deep `[[[...]]]` (a few hundred kilobytes) overflowed the stack and became a 500. Real bodies
 * stay far below: a function's parameters nested ten schema levels deep are about 25.
 */
export const MAX_JSON_DEPTH = 128;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Like Fastify's JSON parser, but an empty body reads as "no body" instead of an error, bytes that are not UTF-8
 * are refused instead of being stored as U+FFFD, and so is nesting deeper than `MAX_JSON_DEPTH`.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(errors.invalidUtf8Body(), undefined);
      return;
    }
    // Not `text.trim()`: that copies a body of megabytes only to look at its first characters.
    if (/^\s*$/.test(text)) {
      done(null, undefined);
      return;
    }
    if (nestingExceeds(body as Buffer, MAX_JSON_DEPTH)) {
      done(errors.jsonTooDeep(MAX_JSON_DEPTH), undefined);
      return;
    }
    parseJson(request, text, (error, value) => (error ? done(errors.invalidJson(), undefined) : done(null, value)));
  });
}

/**
 * Whether brackets outside strings nest deeper than `max`; one pass over the UTF-8 bytes, no parsing (malformed
 * text is JSON.parse's). Bytes, not characters: a third faster, and the bytes of `"`, `\`, brackets and braces never
 * occur inside a multi-byte character.
 */
export function nestingExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const code = bytes[index]!;
    if (inString) {
      if (code === 0x5c)
        index++; // a backslash escapes the next character, a quote included
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      if (++depth > max) return true;
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
  return false;
}

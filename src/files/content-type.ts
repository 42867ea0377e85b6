import mime from 'mime-types';

/**
 * The media type to serve a file's bytes with: what the client declared, unless that was the
 * generic `application/octet-stream` many clients send, in which case the filename decides.
 */
export function guessContentType(filename: string, declared?: string): string {
  if (declared && declared !== 'application/octet-stream') return declared;
  return mime.lookup(filename) || 'application/octet-stream';
}

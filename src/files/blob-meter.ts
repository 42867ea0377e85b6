import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { BlobWriteResult } from './blob-store.js';

/** A pass-through stream that measures the bytes flowing through it. */
export interface BlobMeter {
  readonly stream: Transform;
  /** The size and md5 of everything that went through; call once the stream has ended. */
  result(): BlobWriteResult;
}

export function createBlobMeter(): BlobMeter {
  const md5 = createHash('md5');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      md5.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, md5: md5.digest('hex') }) };
}

/**
 * The chunks of `source` through its async iterator rather than `pipeline(source, ...)`: a Readable destroyed
 * before we got to it (a multipart body cut off early) makes the iterator reject, where pipeline waits forever.
 */
export async function* chunksOf(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield chunk;
}

import type { Readable } from 'node:stream';

/** What a completed write reports: the stored size and checksums computed on the way in. */
export interface BlobWriteResult {
  bytes: number;
  md5: string;
}

/**
 * Where file bytes live, by key. Writes stream; nothing here holds a whole file in memory.
 * Disk now; object storage can implement the same interface later.
 */
export interface BlobStore {
  /** Streams `source` into `key`; a failed or aborted write leaves nothing behind. */
  write(key: string, source: Readable | AsyncIterable<Uint8Array>): Promise<BlobWriteResult>;
  /** Streams the concatenation of `sources` into `key` (used to assemble upload parts). */
  concat(key: string, sources: readonly string[]): Promise<BlobWriteResult>;
  read(key: string): Promise<Readable>;
  size(key: string): Promise<number | undefined>;
  delete(key: string): Promise<void>;
  /** Where the blob sits on this machine, for readers that need random access (PDF, DOCX); absent for remote stores. */
  localPath?(key: string): string;
}

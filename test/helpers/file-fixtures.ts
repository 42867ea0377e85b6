import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import OpenAI from 'openai';
import { WRITERS_DIR } from '../../src/files/partial-blobs.js';
import { bucketKeys } from './test-backend.js';

/** The sha256 of everything a stream yields, read chunk by chunk. */
export async function sha256Of(source: AsyncIterable<Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function sha256OfBuffer(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function md5OfBuffer(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/**
 * Writes `totalBytes` of pseudo-random bytes to `filePath` one chunk at a time (never the whole
 * file in memory) and returns their sha256.
 */
export async function writeRandomFile(filePath: string, totalBytes: number): Promise<string> {
  const hash = createHash('sha256');
  const chunkBytes = 1024 * 1024;
  let state = 0x9e3779b9;
  async function* chunks() {
    for (let written = 0; written < totalBytes; written += chunkBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, totalBytes - written));
      // xorshift32: cheap, not compressible, and the same bytes on every run.
      for (let offset = 0; offset + 4 <= chunk.length; offset += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        chunk.writeUInt32LE(state >>> 0, offset);
      }
      chunk.fill(7, chunk.length - (chunk.length % 4));
      hash.update(chunk);
      yield chunk;
    }
  }
  await pipeline(chunks(), createWriteStream(filePath));
  return hash.digest('hex');
}

/**
 * Every stored blob of the server(s) on `dataDir`, by key: the regular files under its `blobs/` folder (including
 * `.partial` leftovers) and, in the PostgreSQL + S3 pass, the objects in its bucket (test-backend.ts).
 */
export function listBlobs(dataDir: string): string[] {
  return [...diskBlobs(dataDir), ...(bucketKeys(dataDir) ?? [])].sort();
}

function diskBlobs(dataDir: string): string[] {
  const root = path.join(dataDir, 'blobs');
  if (!existsSync(root)) return [];
  return (
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
      // The writer locks of live server processes are the store's bookkeeping, not blobs.
      .filter((relative) => relative.split(path.sep)[0] !== WRITERS_DIR)
  );
}

export interface ExpectedApiError {
  status: number;
  param?: string | null;
  code?: string | null;
  /** A fragment the message must contain. */
  message?: string | RegExp;
}

/** Awaits a rejected SDK call and checks the status, param, code and message of its APIError. */
export async function rejectsWith(
  call: Promise<unknown>,
  expected: ExpectedApiError,
): Promise<InstanceType<typeof OpenAI.APIError>> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof OpenAI.APIError, `expected an APIError, got ${String(caught)}`);
  assert.equal(caught.status, expected.status, caught.message);
  if (expected.param !== undefined) assert.equal(caught.param, expected.param, caught.message);
  if (expected.code !== undefined) assert.equal(caught.code, expected.code, caught.message);
  if (typeof expected.message === 'string') assert.ok(caught.message.includes(expected.message), caught.message);
  if (expected.message instanceof RegExp) assert.match(caught.message, expected.message);
  return caught;
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/*
 * Where the approximate index of a vector store is saved: one file per store in the index's folder beside the
 * database, named `<store id in hex>-v<version>-<sha256 prefix>.hnsw`. One rename makes a save visible, so the name
 * always tells which version of the store's vectors the file holds and what its bytes hash to: a file whose bytes
 * were torn by a crash, or damaged since, fails the hash and is never handed to the native loader.
 */

const SUFFIX = '.hnsw';
const HASH_CHARS = 32;

export interface SavedIndexFile {
  path: string;
  version: number;
  hash: string;
}

function storePrefix(vectorStoreId: string): string {
  return `${Buffer.from(vectorStoreId, 'utf8').toString('hex')}-v`;
}

/** Saved files of one store, newest version first (normally one; more only after a crash mid-save). */
export async function savedIndexFiles(directory: string, vectorStoreId: string): Promise<SavedIndexFile[]> {
  const prefix = storePrefix(vectorStoreId);
  const names = await readdir(directory).catch(() => [] as string[]);
  const files: SavedIndexFile[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) continue;
    const [version, hash] = name.slice(prefix.length, -SUFFIX.length).split('-');
    if (!version || !hash || !/^\d+$/.test(version)) continue;
    files.push({ path: path.join(directory, name), version: Number(version), hash });
  }
  return files.sort((left, right) => right.version - left.version);
}

/** Whether the file's bytes still hash to the prefix in its name (read in a stream: the file may be gigabytes). */
export async function intactIndexFile(file: SavedIndexFile): Promise<boolean> {
  try {
    return (await hashFile(file.path)) === file.hash;
  } catch {
    return false;
  }
}

/**
 * Saves through `write` (which writes the index to the path it is given) as version `version` of the store, then
 * removes the store's older files. Until the rename, the previous file stays the store's.
 */
export async function saveIndexFile(
  directory: string,
  vectorStoreId: string,
  version: number,
  write: (temporaryPath: string) => Promise<unknown>,
): Promise<void> {
  await mkdir(directory, { recursive: true });
  const temporary = path.join(directory, `.${storePrefix(vectorStoreId)}${version}.${process.pid}.tmp`);
  try {
    await write(temporary);
    const hash = await hashFile(temporary);
    const final = path.join(directory, `${storePrefix(vectorStoreId)}${version}-${hash}${SUFFIX}`);
    await rename(temporary, final);
    for (const older of await savedIndexFiles(directory, vectorStoreId)) {
      if (older.path !== final) await rm(older.path, { force: true });
    }
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Removes every saved file of the store (it has no vectors left). */
export async function removeIndexFiles(directory: string, vectorStoreId: string): Promise<void> {
  for (const file of await savedIndexFiles(directory, vectorStoreId)) await rm(file.path, { force: true });
}

/** Leftovers of saves cut short by a crash. */
export async function removeTemporaryFiles(directory: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    if (name.endsWith('.tmp')) await rm(path.join(directory, name), { force: true });
  }
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex').slice(0, HASH_CHARS);
}

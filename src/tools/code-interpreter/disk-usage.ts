import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** What a work dir takes on disk at one moment. */
export interface DiskUsage {
  /** Bytes of everything in it: a file counts its size or its allocated blocks, whichever is more. */
  bytes: number;
  /** Files, folders and other entries below it. */
  entries: number;
  /** Set when the walk could not see everything: then `bytes` is a lower bound and must not be trusted. */
  incomplete?: string;
}

/**
 * Most entries a work dir may hold. Past it the walk stops and the dir counts as over its quota: the
 * cap keeps each walk cheap, and stops code from exhausting the host's inodes with empty files.
 * It matches the snapshot's cap on files (work-dir-snapshot.ts).
 */
export const MAX_WORK_DIR_ENTRIES = 10_000;

/**
 * Walks `workDir` without following symlinks. Unlike the snapshot it has no depth limit (depth cannot
 * hide bytes from it); a folder it cannot read (the code may chmod one) makes the result incomplete.
 */
export async function measureDiskUsage(workDir: string, maxEntries = MAX_WORK_DIR_ENTRIES): Promise<DiskUsage> {
  const usage: DiskUsage = { bytes: 0, entries: 0 };
  const pending = [workDir];
  for (let directory = pending.pop(); directory !== undefined; directory = pending.pop()) {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if (directory === workDir && (error as NodeJS.ErrnoException).code === 'ENOENT') return usage;
      return { ...usage, incomplete: `a folder could not be read (${(error as Error).message})` };
    }
    usage.entries += names.length;
    if (usage.entries > maxEntries) return { ...usage, incomplete: `it holds more than ${maxEntries} entries` };
    const stats = await Promise.all(names.map((name) => lstat(join(directory, name)).catch(() => undefined)));
    for (const [index, entry] of stats.entries()) {
      if (!entry) continue; // Removed while we walked.
      usage.bytes += entry.isFile() ? Math.max(entry.size, entry.blocks * 512) : entry.blocks * 512;
      if (entry.isDirectory()) pending.push(join(directory, names[index]!));
    }
  }
  return usage;
}

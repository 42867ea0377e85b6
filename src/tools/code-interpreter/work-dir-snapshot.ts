import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A regular file in a session's work dir. */
export interface WorkDirFile {
  /** Path on the host. */
  path: string;
  /** Path relative to the work dir (`/mnt/data` inside the sandbox), `/`-separated. */
  filename: string;
  bytes: number;
}

export interface SnapshotEntry extends WorkDirFile {
  mtimeNs: bigint;
  inode: bigint;
}

/**
 * The regular files of a work dir at one moment, keyed by relative filename. Changes are found by
 * comparing two snapshots rather than mtimes against a clock: file times come from the kernel's
 * coarse clock and can be a few ms behind `Date.now()`, so a timestamp would miss fresh files.
 */
export interface WorkDirSnapshot {
  files: Map<string, SnapshotEntry>;
}

/** Bounds on the walk: the code controls the tree and could make it arbitrarily large or deep. */
const MAX_FILES = 10_000;
const MAX_DEPTH = 16;

export async function snapshotWorkDir(workDir: string): Promise<WorkDirSnapshot> {
  const files = new Map<string, SnapshotEntry>();
  await walk(workDir, '', 0, files);
  return { files };
}

async function walk(
  directory: string,
  prefix: string,
  depth: number,
  files: Map<string, SnapshotEntry>,
): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return; // Missing (no session yet) or removed while we walked.
  }
  for (const entry of entries) {
    if (files.size >= MAX_FILES) return;
    const path = join(directory, entry.name);
    const filename = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    // Never follow symlinks: the code could point them anywhere on the host.
    if (entry.isDirectory()) {
      await walk(path, filename, depth + 1, files);
    } else if (entry.isFile()) {
      const stats = await lstat(path, { bigint: true }).catch(() => undefined);
      if (!stats?.isFile()) continue;
      files.set(filename, { path, filename, bytes: Number(stats.size), mtimeNs: stats.mtimeNs, inode: stats.ino });
    }
  }
}

/** Regular files in `now` that are new or modified since `since`. */
export function changedSince(now: WorkDirSnapshot, since: WorkDirSnapshot): WorkDirFile[] {
  return [...now.files.values()]
    .filter((file) => {
      const before = since.files.get(file.filename);
      return !before || before.mtimeNs !== file.mtimeNs || before.bytes !== file.bytes || before.inode !== file.inode;
    })
    .map(({ path, filename, bytes }) => ({ path, filename, bytes }));
}

import { formatBytes, listFiles } from './format-bytes.js';
import type { WorkDirFile } from './work-dir-snapshot.js';

/** How much of what one call writes may become Files. */
export interface OutputLimits {
  maxFiles: number;
  maxBytes: number;
}

/**
 * Splits the files a call wrote into those that become Files and those that stay only in /mnt/data:
 * in name order, each file is taken while it fits both limits (a large file is passed over, and a
 * smaller one after it may still fit).
 */
export function withinOutputLimits(
  files: readonly WorkDirFile[],
  limits: OutputLimits,
): { kept: WorkDirFile[]; skipped: WorkDirFile[] } {
  const kept: WorkDirFile[] = [];
  const skipped: WorkDirFile[] = [];
  let bytes = 0;
  for (const file of [...files].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0))) {
    if (kept.length < limits.maxFiles && bytes + file.bytes <= limits.maxBytes) {
      kept.push(file);
      bytes += file.bytes;
    } else {
      skipped.push(file);
    }
  }
  return { kept, skipped };
}

/** The line of the call's logs that says which files did not become Files, and why. */
export function describeSkipped(skipped: readonly WorkDirFile[], limits: OutputLimits): string {
  const plural = limits.maxFiles === 1 ? '' : 's';
  return (
    `[Not saved as Files (one call saves at most ${limits.maxFiles} file${plural} and ` +
    `${formatBytes(limits.maxBytes)}); they stay in /mnt/data: ${listFiles(skipped)}.]`
  );
}

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type DiskUsage, measureDiskUsage } from './disk-usage.js';
import { formatBytes, listFiles } from './format-bytes.js';
import { changedSince, snapshotWorkDir, type WorkDirFile, type WorkDirSnapshot } from './work-dir-snapshot.js';

/** Writing this would take a work dir over its disk quota. */
export class DiskQuotaError extends Error {
  override readonly name = 'DiskQuotaError';
}

/** What `enforce` found and did when a call had taken the work dir over its quota. */
export interface QuotaBreach {
  limitBytes: number;
  /** The usage found after the call. */
  usage: DiskUsage;
  /** Files the call wrote (created or changed), all removed, largest first. */
  removed: WorkDirFile[];
  /** Removing those was not enough, or the dir could not be measured: everything in it was removed. */
  emptied: boolean;
}

export interface DiskQuotaSettings {
  /** The host folder that is /mnt/data. */
  workDir: string;
  limitBytes: number;
  /** How often the dir is measured while a call runs. */
  checkIntervalMs: number;
}

/**
 * The disk quota of one session's /mnt/data.
 *
 * How disk use is bounded, and why this way: bubblewrap could mount a size-limited tmpfs at /mnt/data,
 * but a tmpfs lives in RAM (a 1 GiB quota per session would be 1 GiB of memory each, outside
 * RLIMIT_AS), dies with the kernel (files must survive restarts) and the host cannot read the files
 * out of it; a loop-mounted image or filesystem quotas need root. So three parts make the bound:
 * - RLIMIT_FSIZE, set by the kernel to at most the quota, caps each file the code writes (writes
 *   past it fail with EFBIG): no single write runs away, whatever the watchdog's timing;
 * - `watch` measures the dir every `checkIntervalMs` while a call runs, and the call is stopped (its
 *   kernel and every process in the sandbox killed) once the dir is over: the overshoot is what the
 *   code writes in one interval. No process outlives its call (kernel.py kills them), so nothing
 *   writes between calls, unwatched;
 * - `enforce`, after every call, removes all the call wrote once the dir is over the quota (a file cut
 *   off by the stop must not pass for a whole one); when that is not enough, or the dir cannot be
 *   measured (too many entries, a folder made unreadable), it empties the dir.
 */
export class DiskQuota {
  readonly #settings: Readonly<DiskQuotaSettings>;

  constructor(settings: DiskQuotaSettings) {
    this.#settings = Object.freeze({ ...settings });
  }

  /** What the dir holds now; pass it to `enforce` after the call. */
  snapshot(): Promise<WorkDirSnapshot> {
    return snapshotWorkDir(this.#settings.workDir);
  }

  /** Measures the dir until stopped; calls `onExceeded` (once, then stops) when it is over the quota. */
  watch(onExceeded: (usage: DiskUsage) => void): { stop(): void } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const check = async (): Promise<void> => {
      const usage = await measureDiskUsage(this.#settings.workDir);
      if (stopped) return;
      if (this.#exceeded(usage)) {
        stopped = true;
        onExceeded(usage);
        return;
      }
      timer = setTimeout(schedule, this.#settings.checkIntervalMs);
    };
    const schedule = (): void => void check().catch(() => undefined);
    timer = setTimeout(schedule, this.#settings.checkIntervalMs);
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  /**
   * Brings the dir back within its quota after a call, removing what the call wrote (files new or
   * changed since `before`); undefined when it is within the quota already. Call it when no code runs.
   */
  async enforce(before: WorkDirSnapshot): Promise<QuotaBreach | undefined> {
    const { workDir, limitBytes } = this.#settings;
    const usage = await measureDiskUsage(workDir);
    if (!this.#exceeded(usage)) return undefined;
    const removed = changedSince(await snapshotWorkDir(workDir), before).sort((a, b) => b.bytes - a.bytes);
    for (const file of removed) await rm(file.path, { force: true });
    const emptied = this.#exceeded(await measureDiskUsage(workDir));
    if (emptied) await emptyDir(workDir);
    return { limitBytes, usage, removed, emptied };
  }

  #exceeded(usage: DiskUsage): boolean {
    return usage.incomplete !== undefined || usage.bytes > this.#settings.limitBytes;
  }
}

/** The breach as a line of the call's logs, which the model and the user read. */
export function describeBreach(breach: QuotaBreach): string {
  const found =
    breach.usage.incomplete === undefined
      ? `this call took it to ${formatBytes(breach.usage.bytes)}`
      : `this call took it past what can be checked (${breach.usage.incomplete})`;
  const parts = [`Disk quota exceeded: /mnt/data may hold at most ${formatBytes(breach.limitBytes)}, and ${found}.`];
  if (breach.removed.length > 0) parts.push(`Removed the files it wrote: ${listFiles(breach.removed)}.`);
  if (breach.emptied) {
    parts.push(
      'Everything in /mnt/data was removed; the files given to the assistant and the thread come back on the next call.',
    );
  }
  return `[${parts.join(' ')}]`;
}

/** Removes what the dir holds but not the dir itself: it may be bind-mounted into a live sandbox. */
async function emptyDir(workDir: string): Promise<void> {
  const names = await readdir(workDir).catch(() => [] as string[]);
  await Promise.all(names.map((name) => rm(join(workDir, name), { recursive: true, force: true })));
}

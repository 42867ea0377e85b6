import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const MB = 1e6;

/** A `kB` field of /proc/<pid>/status in MB (10^6 bytes, as the goals are written); undefined once it is gone. */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? (Number(match[1]) * 1024) / MB : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resets the process's VmHWM to its current RSS (`5` > clear_refs, Linux ≥ 4.0), so the next VmHWM read is
 * the peak of this abuse alone rather than of the server's whole life. False when the kernel refuses.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * RSS of a process and all its descendants, in MB: ingestion runs in child processes and code_interpreter in
 * bubblewrap ones, whose memory the server's own VmRSS does not show. Shared pages count once per process.
 */
export function treeRssMb(pid: number): number {
  let total = statusMb(pid, 'VmRSS') ?? 0;
  for (const child of childrenOf(pid)) total += treeRssMb(child);
  return total;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((thread) => {
      const text = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim();
      return text === '' ? [] : text.split(' ').map(Number);
    });
  } catch {
    return []; // Exited while being read.
  }
}

/**
 * Samples the server's RSS and `treeRssMb(pid)` every `periodMs` until stopped; `stop` returns the largest
 * values seen. VmHWM is exact for the server; the sample stands in when the kernel refuses to reset it.
 */
export function samplePeaks(pid: number, periodMs = 20): { stop(): { server: number; tree: number } } {
  const peak = { server: 0, tree: 0 };
  const sample = (): void => {
    peak.server = Math.max(peak.server, statusMb(pid, 'VmRSS') ?? 0);
    peak.tree = Math.max(peak.tree, treeRssMb(pid));
  };
  sample();
  const timer = setInterval(sample, periodMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

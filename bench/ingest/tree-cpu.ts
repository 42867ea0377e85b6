import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by a process and all its descendants alive now (the server and its
 * ingestion processes, which it keeps between files), from /proc; 0 elsewhere. USER_HZ is taken to be 100.
 */
export function treeCpuSeconds(pid: number): { own: number; descendants: number } {
  let descendants = 0;
  for (const member of descendantsAndSelf(pid)) if (member !== pid) descendants += ownTicks(member);
  return { own: ownTicks(pid) / TICKS_PER_SECOND, descendants: descendants / TICKS_PER_SECOND };
}

function descendantsAndSelf(pid: number): number[] {
  const all = [pid];
  for (let index = 0; index < all.length; index++) {
    const current = all[index]!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        for (const child of children.split(/\s+/)) if (child !== '') all.push(Number(child));
      } catch {
        // The task ended meanwhile.
      }
    }
  }
  return all;
}

function ownTicks(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

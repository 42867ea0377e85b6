import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ), 100 on nearly every Linux. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system) of a set of processes, read from /proc (Linux; 0 elsewhere). The set is one pid,
 * or the PostgreSQL backends of one database: every process whose title is `postgres: … <user> <database> …`,
 * looked for anew at each reading so connections opened meanwhile are counted. A process that exits between
 * two readings keeps the time it had at the last one (its time after that is lost: read often enough).
 * Shared PostgreSQL processes (WAL writer, checkpointer) serve every database and are left out.
 */
export class ProcessCpu {
  /** Last-seen CPU ticks per process, keyed by pid and start time (a pid can be reused). */
  readonly #seen = new Map<string, number>();

  private constructor(private readonly find: () => number[]) {}

  static ofPid(pid: number): ProcessCpu {
    return new ProcessCpu(() => [pid]);
  }

  static ofDatabase(database: string): ProcessCpu {
    return new ProcessCpu(() => postgresBackendsOf(database));
  }

  /** CPU seconds these processes have used since they started, as far as this meter has seen them. */
  seconds(): number {
    for (const pid of this.find()) {
      const stat = readStat(pid);
      if (stat) this.#seen.set(`${pid}@${stat.startTime}`, stat.ticks);
    }
    let ticks = 0;
    for (const value of this.#seen.values()) ticks += value;
    return ticks / TICKS_PER_SECOND;
  }
}

/**
 * CPU seconds each meter used between `start` and `stop`, reading every `intervalMs` in between so processes
 * that exit during a long window lose little. The readings run in this process (a few ms each).
 */
export class CpuWindow<Name extends string> {
  readonly #meters: ReadonlyMap<Name, ProcessCpu>;
  readonly #before = new Map<Name, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(meters: ReadonlyMap<Name, ProcessCpu>, intervalMs = 1_000) {
    this.#meters = meters;
    for (const [name, meter] of meters) this.#before.set(name, meter.seconds());
    this.#timer = setInterval(() => {
      for (const meter of meters.values()) meter.seconds();
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): Map<Name, number> {
    clearInterval(this.#timer);
    const used = new Map<Name, number>();
    for (const [name, meter] of this.#meters) used.set(name, meter.seconds() - this.#before.get(name)!);
    return used;
  }
}

function readStat(pid: number): { ticks: number; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone, or not Linux
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  return { ticks: Number(fields[11]) + Number(fields[12]), startTime: fields[19] ?? '' };
}

function postgresBackendsOf(database: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // A backend sets its title to `postgres: <cluster>: <user> <database> <client> <state>`.
    if (title.startsWith('postgres: ') && title.split(/[\s\0]+/).includes(database)) pids.push(Number(entry));
  }
  return pids;
}

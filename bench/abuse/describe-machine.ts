import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Node, CPUs and load, and which code ran: the commit, and whether src/ had uncommitted changes. */
export function describeMachine(): string {
  const cpus = os.cpus();
  return [
    `node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? 'unknown'}), ${describeLoad()}`,
    `code: ${describeCommit()}`,
  ].join('\n');
}

/** Other processes competing for the CPUs make every latency noisier; say so next to the numbers. */
export function describeLoad(): string {
  const [oneMinute = 0] = os.loadavg();
  const busy = oneMinute > os.cpus().length ? ' (busy with other work: expect noisy numbers)' : '';
  return `load average (1 min) ${oneMinute.toFixed(2)}${busy}`;
}

function describeCommit(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const commit = git('log', '-1', '--format=%h %s');
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return dirty === 0 ? commit : `${commit} + ${dirty} uncommitted change(s) in src/`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

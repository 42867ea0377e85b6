import { readdir, readFile } from 'node:fs/promises';

/** Passes over the tree when stopping: a second catches a process re-parented while the first ran. */
const STOP_PASSES = 2;

/**
 * Stops every process below `rootPid` (not it), parents before their children.
 *
 * This freezes a sandbox between calls: the kernel with all its threads, and anything the code left
 * running (a Popen, a fork, a thread), stop until `continueProcessTree`, so no code writes to /mnt/data
 * or spends CPU while nothing watches it. A stopped process cannot fork, and each one's children are
 * read after it is stopped, so a process started meanwhile is still found; a child of a stopped parent
 * stays a zombie if it exits, so its pid cannot be reused by another process before we signal it.
 * SIGKILL ends stopped processes as usual: closing a session or the server dying still ends the sandbox.
 */
export async function stopProcessTree(rootPid: number): Promise<void> {
  for (let pass = 0; pass < STOP_PASSES; pass += 1) {
    await walk(rootPid, (pid) => signal(pid, 'SIGSTOP'));
  }
  await waitUntilStopped(rootPid);
}

/** How long `stopProcessTree` waits for every thread to be stopped before it gives up waiting. */
const STOP_WAIT_MS = 2_000;

/**
 * A signalled thread stops only when it next returns to user space: one inside a system call (a 128 KB write to
 * /mnt/data, say) finishes that call first. So the tree is frozen only once /proc shows every thread stopped (or
 * dead) — until then, what /mnt/data holds may still change.
 */
async function waitUntilStopped(rootPid: number): Promise<void> {
  const deadline = Date.now() + STOP_WAIT_MS;
  for (;;) {
    const running: number[] = [];
    await walk(rootPid, (pid) => {
      running.push(pid);
      return true;
    });
    const states = await Promise.all(running.map(threadStates));
    if (states.flat().every((state) => STOPPED_OR_DEAD.has(state)) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** `T` stopped by a signal, `t` traced, `Z` zombie, `X` dead. */
const STOPPED_OR_DEAD = new Set(['T', 't', 'Z', 'X']);

/** The scheduler state of each thread of `pid` (none once it is gone). */
async function threadStates(pid: number): Promise<string[]> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const stats = await Promise.all(
    threads.map((thread) => readFile(`/proc/${pid}/task/${thread}/stat`, 'utf8').catch(() => '')),
  );
  // `pid (comm) S …`: the state follows the last ')' (a comm may contain spaces and parentheses).
  return stats
    .filter((stat) => stat !== '')
    .map((stat) => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
}

/** Continues what `stopProcessTree` stopped, children before parents (a running parent could reap one). */
export async function continueProcessTree(rootPid: number): Promise<void> {
  const pids: number[] = [];
  await walk(rootPid, (pid) => {
    pids.push(pid);
    return true;
  });
  for (const pid of pids.reverse()) signal(pid, 'SIGCONT');
}

/** Visits the processes below `rootPid` breadth first; `visit` returns false for one that is gone. */
async function walk(rootPid: number, visit: (pid: number) => boolean): Promise<void> {
  const pending = await childrenOf(rootPid);
  const seen = new Set<number>();
  for (let pid = pending.shift(); pid !== undefined; pid = pending.shift()) {
    if (seen.has(pid)) continue;
    seen.add(pid);
    if (visit(pid)) pending.push(...(await childrenOf(pid)));
  }
}

function signal(pid: number, name: 'SIGSTOP' | 'SIGCONT'): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // Gone already.
  }
}

/** Children of every thread of `pid` (a child belongs to the thread that forked it). */
async function childrenOf(pid: number): Promise<number[]> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(
    threads.map((thread) => readFile(`/proc/${pid}/task/${thread}/children`, 'utf8').catch(() => '')),
  );
  return lists.flatMap((list) =>
    list
      .split(' ')
      .filter((entry) => entry !== '')
      .map(Number),
  );
}

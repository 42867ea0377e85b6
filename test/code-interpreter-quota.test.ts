import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { BubblewrapSandbox, CodeSessions, DiskQuotaError } from '../src/tools/code-interpreter/index.js';

/**
 * The disk quota of a session's /mnt/data, at the sandbox level: a small quota (4 MiB) so the tests
 * write little. The same through real runs: runs-code-interpreter-quota.test.ts.
 */
const MB = 1024 * 1024;
const QUOTA = 4 * MB;
const TEST_TIMEOUT = { timeout: 120_000 };

let root: string;
let sessions: CodeSessions;
/** The same quota with a watchdog too slow to ever look: what is left to the checks after each call. */
let unwatched: CodeSessions;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'code-interpreter-quota-'));
  await chmod(root, 0o711);
  const sandbox = await BubblewrapSandbox.create({
    timeoutMs: 20_000,
    diskQuotaBytes: QUOTA,
    diskCheckIntervalMs: 100,
  });
  assert.equal(sandbox.available, true, `sandbox unavailable: ${sandbox.unavailableReason}`);
  sessions = new CodeSessions({ sandbox, root: join(root, 'watched') });
  const slow = await BubblewrapSandbox.create({ diskQuotaBytes: QUOTA, diskCheckIntervalMs: 600_000 });
  unwatched = new CodeSessions({ sandbox: slow, root: join(root, 'unwatched') });
});

after(async () => {
  await sessions.closeAll();
  await unwatched.closeAll();
  await rm(root, { recursive: true, force: true });
});

/** Bytes of the regular files under `dir` (counted here independently of the server's own measure). */
function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => lstatSync(join(dir, name), { throwIfNoEntry: false }))
    .reduce((total, stats) => total + (stats?.isFile() ? stats.size : 0), 0);
}

/** Samples `dir` every few ms until `work` settles; resolves with its result and the largest size seen. */
async function withPeak<T>(dir: string, work: Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = 0;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      peakBytes = Math.max(peakBytes, bytesUnder(dir));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    return { result: await work, peakBytes };
  } finally {
    done = true;
    await sampling;
  }
}

describe('disk quota of /mnt/data', () => {
  test(
    'code that keeps writing is stopped soon after passing the quota, and what it wrote is removed',
    TEST_TIMEOUT,
    async () => {
      const session = await sessions.get('thread_flood');
      await session.execute('open("/mnt/data/kept.txt", "w").write("from before")', {});
      const workDir = sessions.workDir('thread_flood');
      const code =
        'import time\ni = 0\nwhile True:\n    open(f"/mnt/data/chunk-{i}.bin", "wb").write(b"x" * 262144)\n' +
        '    i += 1\n    time.sleep(0.005)';
      const { result, peakBytes } = await withPeak(workDir, session.execute(code, {}));
      assert.equal(result.timedOut, false, 'stopped by the quota, not by the time limit');
      assert.equal(result.restarted, true);
      assert.equal(result.diskQuotaExceeded, true);
      assert.match(
        result.logs,
        /\[Execution was stopped because \/mnt\/data went over its disk quota\. The session was restarted/,
      );
      assert.match(
        result.logs,
        /\[Disk quota exceeded: \/mnt\/data may hold at most 4\.0 MB, and this call took it to [\d.]+ MB\. /,
      );
      assert.match(result.logs, /Removed the files it wrote: chunk-\d+\.bin \(256 KB\)/);
      assert.ok(peakBytes < QUOTA + 16 * MB, `the dir peaked at ${(peakBytes / MB).toFixed(1)} MB`);
      assert.ok(bytesUnder(workDir) <= QUOTA, `${bytesUnder(workDir)} bytes left`);
      assert.equal(readFileSync(join(workDir, 'kept.txt'), 'utf8'), 'from before', 'files from earlier calls stay');
      assert.equal((await session.execute('print("usable")', {})).logs, 'usable');
    },
  );

  test('one huge write is cut at the quota by the file size limit (RLIMIT_FSIZE)', TEST_TIMEOUT, async () => {
    const session = await sessions.get('thread_huge');
    const code =
      'import os\ntry:\n    open("/mnt/data/huge.bin", "wb").write(b"z" * (64 * 1024 * 1024))\n' +
      'except OSError as error:\n    print("refused:", error.errno)\nprint(os.path.getsize("/mnt/data/huge.bin"))';
    const result = await session.execute(code, {});
    assert.equal(result.logs, `refused: 27\n${QUOTA}`, 'EFBIG once the file reaches the quota');
    assert.ok(bytesUnder(sessions.workDir('thread_huge')) <= QUOTA);
  });

  test('a quick burst past the quota is undone after the call, and variables survive', TEST_TIMEOUT, async () => {
    const session = await unwatched.get('thread_burst');
    await session.execute('open("/mnt/data/earlier.txt", "w").write("kept")', {});
    const code =
      'state = "kept"\nfor name, size in [("a.bin", 1), ("b.bin", 2), ("c.bin", 2.5)]:\n' +
      '    open("/mnt/data/" + name, "wb").write(b"y" * int(size * 1024 * 1024))\nprint("wrote")';
    const result = await session.execute(code, {});
    assert.equal(result.restarted, false);
    assert.equal(
      result.logs,
      'wrote\n[Disk quota exceeded: /mnt/data may hold at most 4.0 MB, and this call took it to 5.5 MB. ' +
        'Removed the files it wrote: c.bin (2.5 MB), b.bin (2.0 MB), a.bin (1.0 MB).]',
    );
    assert.deepEqual(readdirSync(unwatched.workDir('thread_burst')), ['earlier.txt']);
    assert.equal((await session.execute('print(state)', {})).logs, 'kept');
  });

  test("too many files count as over the quota, and the call's files are removed", TEST_TIMEOUT, async () => {
    const session = await unwatched.get('thread_inodes');
    const result = await session.execute('for i in range(10100):\n    open(f"/mnt/data/e{i}", "w").close()', {});
    assert.match(result.logs, /took it past what can be checked \(it holds more than 10000 entries\)/);
    assert.match(result.logs, /Removed the files it wrote: e\d+ \(0 KB\), .*, and 9990 more\.\]$/);
    assert.ok(readdirSync(unwatched.workDir('thread_inodes')).length <= 100, 'back within the entries a dir may hold');
  });

  test(
    'nothing runs between calls: a background writer waits, frozen, and is watched when it runs again',
    TEST_TIMEOUT,
    async () => {
      const session = await sessions.get('thread_background');
      const workDir = sessions.workDir('thread_background');
      const writer =
        'import subprocess, threading, time\n' +
        'def grow():\n    n = 0\n    while True:\n        n += 1\n' +
        '        open(f"/mnt/data/t-{n}.bin", "wb").write(b"t" * 131072)\n        time.sleep(0.01)\n' +
        'threading.Thread(target=grow, daemon=True).start()\n' +
        'shell = "i=0; while true; do i=$((i+1)); echo $i > /mnt/data/ticks; sleep 0.01; done"\n' +
        'subprocess.Popen(["sh", "-c", shell])\ntime.sleep(0.1)';
      await session.execute(writer, {});
      const [bytes, ticks] = [bytesUnder(workDir), readFileSync(join(workDir, 'ticks'), 'utf8')];
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(bytesUnder(workDir), bytes, 'the thread wrote nothing between calls');
      assert.equal(readFileSync(join(workDir, 'ticks'), 'utf8'), ticks, 'the process wrote nothing between calls');
      const next = await session.execute('time.sleep(3)', {});
      assert.match(next.logs, /Execution was stopped because \/mnt\/data went over its disk quota/);
      assert.ok(bytesUnder(workDir) <= QUOTA);
    },
  );

  test('an input larger than the room left is refused and leaves nothing behind', TEST_TIMEOUT, async () => {
    await sessions.writeInput('thread_inputs', 'small.csv', Readable.from([Buffer.alloc(3 * MB)]));
    await assert.rejects(
      sessions.writeInput('thread_inputs', 'big.csv', Readable.from([Buffer.alloc(2 * MB)])),
      (error) => {
        assert.ok(error instanceof DiskQuotaError);
        assert.match(
          error.message,
          /^big\.csv was not placed in \/mnt\/data: it would take it over its disk quota of 4\.0 MB/,
        );
        return true;
      },
    );
    assert.deepEqual(readdirSync(sessions.workDir('thread_inputs')), ['small.csv']);
  });
});

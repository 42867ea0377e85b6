import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import {
  BubblewrapSandbox,
  CodeSessions,
  type SandboxSession,
  SandboxSessionClosedError,
  SandboxUnavailableError,
} from '../src/tools/code-interpreter/index.js';
import { pollUntil } from './helpers/poll.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const OUTPUT_LIMIT = 64 * 1024;
/** Generous per-test ceiling so a regression fails the test instead of hanging the suite. */
const TEST_TIMEOUT = { timeout: 120_000 };

let sandbox: BubblewrapSandbox;
let root: string;
let sessionCount = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'code-interpreter-test-'));
  // The sandbox's uid must be able to pass through (not list) the directory holding the work dirs.
  await chmod(root, 0o711);
  sandbox = await BubblewrapSandbox.create({ timeoutMs: 30_000, outputLimitBytes: OUTPUT_LIMIT });
  assert.equal(sandbox.available, true, `sandbox unavailable: ${sandbox.unavailableReason}`);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A session in a fresh work dir, closed when the test ends. */
async function openSession(context: TestContext): Promise<{ session: SandboxSession; workDir: string }> {
  sessionCount += 1;
  const workDir = join(root, `session-${sessionCount}`);
  const session = await sandbox.openSession({ workDir });
  context.after(() => session.close());
  return { session, workDir };
}

function isPng(bytes: Uint8Array): boolean {
  return PNG_MAGIC.every((byte, index) => bytes[index] === byte);
}

/** Python source from lines, so test code reads like the Python it is. */
function python(...lines: string[]): string {
  return lines.join('\n');
}

async function run(session: SandboxSession, code: string, timeoutMs?: number) {
  return session.execute(code, timeoutMs === undefined ? {} : { timeoutMs });
}

describe('running code', () => {
  test('print(6*7) logs 42', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const result = await run(session, 'print(6*7)');
    assert.deepEqual(result, { logs: '42', images: [], timedOut: false, restarted: false, truncated: false });
  });

  test('variables survive between calls', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    await run(session, 'total = 40\ndef add(value):\n    return total + value');
    assert.equal((await run(session, 'print(add(2))')).logs, '42');
  });

  test('a trailing expression is shown like a notebook cell, None is not', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    assert.equal((await run(session, 'values = [1, 2]\nvalues + [3]')).logs, '[1, 2, 3]');
    assert.equal((await run(session, 'print("only this")\nNone')).logs, 'only this');
    assert.equal((await run(session, '{"a": 1}["a"] * 2')).logs, '2');
  });

  test('stdout and stderr arrive interleaved in order, child processes included', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const code = 'import os, sys\nprint("one")\nprint("two", file=sys.stderr)\nos.system("echo three")\nprint("four")';
    assert.equal((await run(session, code)).logs, 'one\ntwo\nthree\nfour');
  });

  test('an exception gives a traceback and the session survives', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const failed = await run(session, 'kept = "yes"\ndef explode():\n    raise ValueError("boom")\nexplode()');
    assert.match(failed.logs, /^Traceback \(most recent call last\):/);
    assert.match(failed.logs, /line 3, in explode/);
    assert.match(failed.logs, /ValueError: boom$/);
    assert.doesNotMatch(failed.logs, /kernel\.py/, "the kernel's own frames are hidden");
    assert.equal(failed.restarted, false);
    assert.equal((await run(session, 'print(kept)')).logs, 'yes');
  });

  test('a syntax error is reported without running anything', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const result = await run(session, 'print("not run")\nif True print(1)');
    assert.match(result.logs, /SyntaxError/);
    assert.doesNotMatch(result.logs, /not run/);
  });

  test('reading stdin gets end-of-file instead of hanging the kernel', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    assert.match((await run(session, 'input("name? ")')).logs, /EOFError/);
    assert.equal((await run(session, 'print("next")')).logs, 'next');
  });

  test('a figure shown with plt.show() comes back as a PNG', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const result = await run(session, 'import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()');
    assert.equal(result.images.length, 1);
    assert.ok(isPng(result.images[0]!));
    assert.equal(result.logs, '', 'no "non-GUI backend" warning');
    const leftOpen = await run(session, 'plt.figure()\nplt.bar(["a", "b"], [1, 2])\nNone');
    assert.equal(leftOpen.images.length, 1, 'figures left open are collected too');
    assert.equal((await run(session, 'print(len(plt.get_fignums()))')).images.length, 0, 'each figure once');
  });
});

describe('thread sessions and files', () => {
  let sessions: CodeSessions;
  before(() => {
    sessions = new CodeSessions({ sandbox, root: join(root, 'threads') });
  });
  after(() => sessions.closeAll());

  test('pandas reads a CSV written into the work dir', TEST_TIMEOUT, async () => {
    const input = await sessions.writeInput('thread_csv', '../../data.csv', Readable.from(['a,b\n1,2\n3,4\n']));
    assert.equal(input.filename, 'data.csv');
    assert.equal(input.path, join(sessions.workDir('thread_csv'), 'data.csv'));
    const session = await sessions.get('thread_csv');
    const code = python('import pandas as pd', 'frame = pd.read_csv("/mnt/data/data.csv")', 'print(frame["b"].sum())');
    const result = await session.execute(code, {});
    assert.equal(result.logs, '6');
  });

  test('savefig into /mnt/data shows up as a changed file', TEST_TIMEOUT, async () => {
    const session = await sessions.get('thread_plot');
    await session.execute('open("/mnt/data/before.txt", "w").write("old")', {});
    const snapshot = await sessions.snapshot('thread_plot');
    const code =
      'import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig("/mnt/data/x.png")\nplt.close()\n' +
      'import os\nos.makedirs("/mnt/data/out", exist_ok=True)\nopen("/mnt/data/out/notes.txt", "w").write("hi")\n' +
      'os.symlink("/etc/hostname", "/mnt/data/link")';
    const result = await session.execute(code, {});
    assert.equal(result.logs, '');
    const changed = await sessions.changedFiles('thread_plot', snapshot);
    assert.deepEqual(changed.map((file) => file.filename).sort(), ['out/notes.txt', 'x.png']);
    const png = changed.find((file) => file.filename === 'x.png')!;
    const bytes = await readFile(png.path);
    assert.equal(png.bytes, bytes.length);
    assert.ok(isPng(bytes));
    const opened = await sessions.openFile('thread_plot', 'x.png');
    assert.equal(opened.bytes, bytes.length);
    assert.deepEqual(Buffer.concat(await opened.stream.toArray()), bytes);
    await assert.rejects(sessions.openFile('thread_plot', 'link'), /ELOOP|Not a regular file/);
  });

  test('an input file replaces a symlink the code planted instead of writing through it', TEST_TIMEOUT, async () => {
    const target = join(root, 'host-target.txt');
    await writeFile(target, 'host content');
    const session = await sessions.get('thread_symlink');
    await session.execute(`import os\nos.symlink(${JSON.stringify(target)}, "/mnt/data/input.txt")`, {});
    const input = await sessions.writeInput('thread_symlink', 'input.txt', Readable.from(['from the user']));
    assert.equal(input.bytes, 13);
    assert.equal(await readFile(target, 'utf8'), 'host content');
    assert.equal((await session.execute('print(open("/mnt/data/input.txt").read())', {})).logs, 'from the user');
  });

  test('a crashed kernel is restarted on the next call, which says so', TEST_TIMEOUT, async () => {
    const session = await sessions.get('thread_crash');
    await session.execute('state = 1', {});
    const crashed = await session.execute('import os\nprint("before", flush=True)\ngetattr(os, "_exit")(3)', {});
    assert.equal(crashed.restarted, true);
    assert.match(crashed.logs, /^before\n\[The Python kernel stopped \(exit code 3\)/);
    const next = await session.execute('print("state" in globals())', {});
    assert.equal(next.logs, 'False');
    assert.equal(next.restarted, false, 'the restart was reported once, on the call that crashed');
  });

  test('a cancelled call kills the code and the next call reports the restart', TEST_TIMEOUT, async () => {
    const session = await sessions.get('thread_cancel');
    const controller = new AbortController();
    const code = 'import time\nopen("/mnt/data/started", "w").close()\ntime.sleep(600)';
    const running = session.execute(code, { signal: controller.signal });
    await pollUntil(() => existsSync(join(sessions.workDir('thread_cancel'), 'started')), {
      what: 'the code to start',
      timeoutMs: 20_000,
    });
    controller.abort(new Error('run cancelled'));
    await assert.rejects(running, /run cancelled/);
    const next = await session.execute('print("fresh")', {});
    assert.equal(next.restarted, true);
    assert.match(next.logs, /^\[The session was restarted because the previous call was cancelled.*\]\nfresh$/);
  });

  test('an idle session is closed and its work dir removed', TEST_TIMEOUT, async () => {
    const idle = new CodeSessions({ sandbox, root: join(root, 'idle'), idleMs: 200 });
    const session = await idle.get('thread_idle');
    await session.execute('open("/mnt/data/f.txt", "w").write("x")', {});
    assert.ok(existsSync(join(idle.workDir('thread_idle'), 'f.txt')));
    await pollUntil(() => !idle.has('thread_idle') && !existsSync(idle.workDir('thread_idle')), {
      what: 'the idle session to be closed and its work dir removed',
      timeoutMs: 20_000,
    });
    assert.equal(session.alive, false);
    const reopened = await idle.get('thread_idle');
    assert.equal((await reopened.execute('import os\nprint(os.listdir("/mnt/data"))', {})).logs, '[]');
    await idle.closeAll();
  });

  test('closing a thread (deletion) kills its session and removes its work dir', TEST_TIMEOUT, async () => {
    const session = await sessions.get('thread_deleted');
    await session.execute('open("/mnt/data/f.txt", "w").write("x")', {});
    assert.equal(session.alive, true);
    await sessions.close('thread_deleted');
    assert.equal(sessions.has('thread_deleted'), false);
    assert.equal(session.alive, false);
    assert.equal(existsSync(sessions.workDir('thread_deleted')), false);
    await assert.rejects(session.execute('print(1)', {}), SandboxSessionClosedError);
  });

  test('thread ids that are not plain names are refused as directory names', () => {
    assert.throws(() => sessions.workDir('../escape'));
    assert.throws(() => sessions.workDir(''));
  });
});

describe('isolation: escapes must fail', () => {
  test('connecting to a loopback port the host opened fails', TEST_TIMEOUT, async (context) => {
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.end('secret');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    context.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const { session } = await openSession(context);
    const code = python(
      'import socket',
      'try:',
      `    connection = socket.create_connection(("127.0.0.1", ${port}), timeout=5)`,
      '    print("connected", connection.recv(100))',
      'except OSError as error:',
      '    print("failed:", type(error).__name__)',
    );
    const result = await run(session, code);
    assert.match(result.logs, /^failed: /);
    assert.equal(connections, 0);
  });

  test("a file planted in the test's tmp dir cannot be read", TEST_TIMEOUT, async (context) => {
    const secret = randomBytes(16).toString('hex');
    const planted = join(root, 'planted-secret.txt');
    await writeFile(planted, secret);
    const { session } = await openSession(context);
    const result = await run(session, `print(open(${JSON.stringify(planted)}).read())`);
    assert.match(result.logs, /FileNotFoundError/);
    assert.ok(!result.logs.includes(secret));
  });

  test('a file planted in /root cannot be read', TEST_TIMEOUT, async (context) => {
    const secret = randomBytes(16).toString('hex');
    const planted = `/root/sandbox-secret-${randomBytes(8).toString('hex')}.txt`;
    await writeFile(planted, secret);
    context.after(() => rm(planted, { force: true }));
    const { session } = await openSession(context);
    const code = python('import os', 'print(os.path.exists("/root"))', `print(open("${planted}").read())`);
    const result = await run(session, code);
    assert.match(result.logs, /^False\n/);
    assert.match(result.logs, /FileNotFoundError/);
    assert.ok(!result.logs.includes(secret));
  });

  test('host configuration and this repository are not visible', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const paths = ['/etc/passwd', '/etc/hostname', '/etc/shadow', process.cwd(), '/work', '/root', '/home', '/var'];
    const code = python(
      'import os',
      `print([path for path in ${JSON.stringify(paths)} if os.path.exists(path)])`,
      'pids = [name for name in os.listdir("/proc") if name.isdigit()]',
      'print(sorted(open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")[0].decode() for pid in pids))',
    );
    const [visible, processes] = (await run(session, code)).logs.split('\n');
    assert.equal(visible, '[]');
    assert.equal(processes, "['/usr/bin/bwrap', '/usr/bin/python3']", "only the sandbox's own processes are visible");
  });

  test('writing outside /mnt/data fails or stays inside the sandbox', TEST_TIMEOUT, async (context) => {
    const name = `sandbox-write-${randomBytes(8).toString('hex')}`;
    const { session } = await openSession(context);
    const code =
      'def attempt(path):\n    try:\n        open(path, "w").write("x")\n        return "written"\n' +
      '    except OSError as error:\n        return type(error).__name__\n' +
      `print(attempt("/usr/${name}"), attempt("/${name}"), attempt("/etc/${name}"), attempt("/tmp/${name}"))`;
    const result = await run(session, code);
    assert.equal(result.logs, 'OSError OSError OSError written', 'read-only everywhere but /tmp (and /mnt/data)');
    assert.equal(existsSync(`/usr/${name}`), false);
    assert.equal(existsSync(`/${name}`), false);
    assert.equal(existsSync(`/tmp/${name}`), false, 'the sandbox has its own /tmp');
  });

  test('the code runs as an unprivileged uid and cannot raise its limits', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const code =
      'import os, resource\nprint(os.getuid(), os.getgid())\n' +
      'try:\n    resource.setrlimit(resource.RLIMIT_NPROC, (100000, 100000))\n    print("raised")\n' +
      'except (ValueError, OSError) as error:\n    print("refused:", error)';
    const result = await run(session, code);
    assert.match(result.logs, /^1000 1000\nrefused: /);
  });

  test('a fork bomb is contained: the call returns and the host is unaffected', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const bomb = python(
      'import os',
      'while True:',
      '    try:',
      '        os.fork()',
      '    except OSError:',
      '        continue',
    );
    const result = await run(session, bomb, 5_000);
    assert.equal(result.timedOut, true);
    const { stdout } = await promisify(execFile)('/bin/echo', ['host still spawns']);
    assert.equal(stdout, 'host still spawns\n');
    assert.equal((await run(session, 'print("usable")')).logs, 'usable');
  });

  test('the process limit stops forking well short of exhausting the host', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const code =
      'import os, time\ncount = 0\ntry:\n    while count < 10000:\n        if os.fork() == 0:\n' +
      '            time.sleep(600)\n            getattr(os, "_exit")(0)\n        count += 1\nexcept OSError as error:\n' +
      '    print("stopped after", count, type(error).__name__)';
    const result = await run(session, code);
    const match = /^stopped after (\d+) BlockingIOError$/.exec(result.logs);
    assert.ok(match, result.logs);
    assert.ok(Number(match[1]) < 64, `forked ${match[1]} processes`);
  });

  test('a memory bomb is contained: MemoryError, and the session survives', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    assert.match((await run(session, 'block = bytearray(4 * 1024 ** 3)')).logs, /MemoryError/);
    const grow = python(
      'def grow():',
      '    chunks = []',
      '    while True:',
      '        chunks.append(bytearray(64 * 1024 ** 2))',
      'grow()',
    );
    const grown = await run(session, grow);
    assert.match(grown.logs, /MemoryError/);
    assert.equal(grown.restarted, false);
    assert.equal((await run(session, 'print("survived")')).logs, 'survived');
  });

  test('an infinite loop times out, and the restarted session is usable', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    await run(session, 'counter = 1');
    const result = await run(session, 'print("looping", flush=True)\nwhile True:\n    pass', 1_000);
    assert.equal(result.timedOut, true);
    assert.equal(result.restarted, true);
    assert.match(result.logs, /^looping\n\[Execution timed out after 1 s and was stopped\. The session was restarted/);
    const next = await run(session, 'print("usable")\ncounter');
    assert.equal(next.restarted, false);
    assert.match(next.logs, /^usable\nTraceback[\s\S]*NameError: name 'counter' is not defined$/);
  });

  test('a flood of printed output is truncated with a marker', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const result = await run(session, 'for line in range(200000):\n    print("x" * 100)\n1 / 0');
    assert.equal(result.truncated, true);
    assert.ok(Buffer.byteLength(result.logs) < OUTPUT_LIMIT + 1024, `kept ${Buffer.byteLength(result.logs)} bytes`);
    assert.match(result.logs, /\[Output truncated: only the first 65536 bytes are shown\.\]/);
    assert.match(result.logs, /ZeroDivisionError/, 'the traceback is kept after truncated output');
  });

  test('a flood written straight to the file descriptor is truncated too', TEST_TIMEOUT, async (context) => {
    const { session } = await openSession(context);
    const result = await run(session, 'import os\nfor block in range(2000):\n    os.write(1, b"y" * 1000)');
    assert.equal(result.truncated, true);
    assert.ok(Buffer.byteLength(result.logs) < OUTPUT_LIMIT + 1024);
    assert.equal((await run(session, 'print("after")')).logs, 'after');
  });

  test('a file larger than the file size limit cannot be written', TEST_TIMEOUT, async () => {
    const small = await BubblewrapSandbox.create({ fileSizeBytes: 1024 * 1024 });
    const session = await small.openSession({ workDir: join(root, 'fsize') });
    try {
      const code =
        'try:\n    open("/mnt/data/big", "wb").write(b"z" * (2 * 1024 * 1024))\nexcept OSError as error:\n' +
        '    print("refused:", error.errno)';
      assert.equal((await session.execute(code, {})).logs, 'refused: 27');
    } finally {
      await session.close();
    }
  });
});

describe('availability', () => {
  test('a work dir the sandbox uid cannot reach is refused with a clear reason', TEST_TIMEOUT, async () => {
    const closed = join(root, 'closed');
    await mkdir(closed, { mode: 0o700 });
    await assert.rejects(sandbox.openSession({ workDir: join(closed, 'work') }), (error: Error) => {
      assert.equal(error.name, 'SandboxStartError');
      assert.match(error.message, /cannot reach .*closed\/work: make .*closed traversable/);
      return true;
    });
  });

  test('without bubblewrap the sandbox is unavailable and never runs code', TEST_TIMEOUT, async () => {
    const missing = await BubblewrapSandbox.create({ bwrapPath: '/nonexistent/bwrap' });
    assert.equal(missing.available, false);
    assert.match(missing.unavailableReason ?? '', /bubblewrap .*not found at \/nonexistent\/bwrap/);
    await assert.rejects(missing.openSession({ workDir: join(root, 'never') }), SandboxUnavailableError);
    assert.equal(existsSync(join(root, 'never')), false);
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { type FileLock, tryLockFile } from '../src/files/file-lock.js';
import { sdkClient } from './helpers/client.js';
import { pollUntil } from './helpers/poll.js';
import { testBackend } from './helpers/test-backend.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { type ScriptedUpstream, startScriptedUpstream } from './upstream/index.js';

/**
 * What a crash leaves behind is removed at the next start-up: partial blobs of uploads cut off by a
 * SIGKILL, and the sandbox work dirs of the dead process's sessions. What live processes hold (here
 * locked by this test process, standing in for another server sharing the folders) stays.
 */
let dataDir: string;
let sandboxRoot: string;
let upstream: ScriptedUpstream;
const servers: TestServer[] = [];
const heldLocks: FileLock[] = [];

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'startup-cleanup-'));
  sandboxRoot = mkdtempSync(path.join(tmpdir(), 'startup-cleanup-sandbox-'));
  chmodSync(sandboxRoot, 0o711);
  upstream = await startScriptedUpstream();
});

after(async () => {
  for (const server of servers) await server.stop();
  for (const lock of heldLocks) await lock.release();
  await upstream.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(sandboxRoot, { recursive: true, force: true });
});

async function start(): Promise<TestServer> {
  const env = {
    OPENAI_BASE_URL: upstream.baseURL,
    EMBEDDING_MODEL: 'none',
    CODE_INTERPRETER_DIR: sandboxRoot,
    // The partial files are the disk store's, so the disk store in either pass (the database is the pass's);
    // a bucket's leftovers are multipart uploads, which files-s3.test.ts covers.
    BLOB_STORE: 'disk',
  };
  const server = await startTestServer({ dataDir, env });
  servers.push(server);
  return server;
}

/** `.partial` files under the blob folder, relative to it. */
function partials(): string[] {
  const blobs = path.join(dataDir, 'blobs');
  return (readdirSync(blobs, { recursive: true }) as string[]).filter((name) => name.endsWith('.partial')).sort();
}

/** Starts an upload that sends part of its file and then stalls, so the server holds a partial blob. */
async function stallUploads(server: TestServer, count: number): Promise<void> {
  const before = partials().length;
  for (let index = 0; index < count; index += 1) {
    const boundary = `b${randomBytes(8).toString('hex')}`;
    const upload = request(`${server.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key', 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    upload.on('error', () => undefined); // The server is killed under it.
    upload.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n`);
    upload.write('Content-Type: application/octet-stream\r\n\r\n');
    upload.write(Buffer.alloc(256 * 1024, 1));
  }
  await pollUntil(() => partials().length >= before + count, { what: `${count} partial blobs`, timeoutMs: 20_000 });
}

/** Runs code in a new thread through a real run; returns the thread id. */
async function runCode(client: OpenAI, code: string, threadId?: string): Promise<string> {
  upstream.script({ toolCalls: [{ name: 'code_interpreter', arguments: { code } }] }, { text: 'Done.' });
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
  if (threadId === undefined) {
    const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [] } });
    assert.equal(run.status, 'completed');
    return run.thread_id;
  }
  const run = await client.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistant.id });
  assert.equal(run.status, 'completed');
  return threadId;
}

/** Files standing for those of another live server process: held by this test's locks. */
async function plantLiveProcessFiles(): Promise<{ liveWorkDir: string; livePartial: string }> {
  const liveWorkDir = path.join(sandboxRoot, 'thread_heldElsewhere');
  mkdirSync(liveWorkDir);
  writeFileSync(path.join(liveWorkDir, 'data.csv'), 'a,b\n');
  heldLocks.push((await tryLockFile(`${liveWorkDir}.lock`))!);
  const writerId = `w${randomBytes(8).toString('hex')}`;
  const livePartial = path.join('files', `file-live.${writerId}-${randomBytes(6).toString('hex')}.partial`);
  heldLocks.push((await tryLockFile(path.join(dataDir, 'blobs', '.writers', `${writerId}.lock`)))!);
  writeFileSync(path.join(dataDir, 'blobs', livePartial), 'half');
  // Old enough to be removed if age alone decided: its writer's lock is what keeps it.
  const anHourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(path.join(dataDir, 'blobs', livePartial), anHourAgo, anHourAgo);
  return { liveWorkDir, livePartial };
}

test('partial blobs and sandbox work dirs of killed servers are removed at start-up, and only those', {
  timeout: 180_000,
}, async () => {
  const first = await start();
  const threadId = await runCode(sdkClient(first), 'open("/mnt/data/left.txt", "w").write("x")');
  const workDir = path.join(sandboxRoot, threadId);
  await stallUploads(first, 3);
  const { liveWorkDir, livePartial } = await plantLiveProcessFiles();
  // From before partial names carried a writer: removed by age.
  const legacyPartial = path.join('files', `file-old.${randomBytes(6).toString('hex')}.partial`);
  writeFileSync(path.join(dataDir, 'blobs', legacyPartial), 'old');
  const anHourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(path.join(dataDir, 'blobs', legacyPartial), anHourAgo, anHourAgo);
  mkdirSync(path.join(sandboxRoot, 'not-ours'));
  await first.kill();
  assert.equal(partials().length, 5, 'the crash left 3 partial uploads beside the planted 2');
  assert.ok(existsSync(path.join(workDir, 'left.txt')) && existsSync(`${workDir}.lock`), "and the session's work dir");

  const second = await start();
  assert.deepEqual(partials(), [livePartial], 'only the partial whose writer lives is left');
  assert.equal(existsSync(workDir), false, "the dead session's work dir is gone");
  assert.equal(existsSync(`${workDir}.lock`), false);
  assert.ok(existsSync(path.join(liveWorkDir, 'data.csv')), 'a work dir a live process holds stays');
  assert.ok(existsSync(path.join(sandboxRoot, 'not-ours')), 'names the server never makes are left alone');
  assert.equal(
    readdirSync(path.join(dataDir, 'blobs', '.writers')).length,
    2,
    "the dead writer's lock went; ours and the live one stay",
  );
  const cleanup = second.logs.find((entry) => entry.msg === 'removed what stopped processes left');
  assert.deepEqual([cleanup?.partialBlobs, cleanup?.workDirs], [4, 1]);

  // A second crash leaves the same again, and the next start removes it again: nothing accumulates.
  await stallUploads(second, 2);
  await second.kill();
  assert.equal(partials().length, 3);
  const third = await start();
  assert.deepEqual(partials(), [livePartial]);
  await runCode(sdkClient(third), 'import os\nprint(sorted(os.listdir("/mnt/data")))', threadId);
  const chat = upstream.requests.filter((entry) => entry.path.endsWith('/chat/completions')).at(-1)!;
  const toolMessage = (chat.body.messages as Array<{ role: string; content: string }>).findLast(
    (message) => message.role === 'tool',
  );
  // On PostgreSQL the store remembers which worker held the thread's session, so the first call after the crash
  // also says the session was lost (multi-process.test.ts); the embedded store keeps no such record.
  const lostNote = /^\[This thread's Python session was lost when the worker holding it stopped[^\n]*\]\n/;
  const content = toolMessage?.content ?? '';
  if (testBackend() === 'postgres') assert.match(content, lostNote);
  assert.equal(content.replace(lostNote, ''), '[]', "the thread's next session starts with a clean /mnt/data");
});

import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { Run } from '../src/api/types.js';
import { loadConfig } from '../src/config.js';
import { ApiError } from '../src/errors.js';
import { type OpenedBlobStore, openBlobStore } from '../src/files/open-blob-store.js';
import { ContainerService } from '../src/services/containers.js';
import type { Store } from '../src/store/store.js';
import type { BuiltinTool, BuiltinToolContext } from '../src/tools/builtin-tool.js';
import { createCodeInterpreterTool } from '../src/tools/code-interpreter/code-interpreter-tool.js';
import { containerFiles } from '../src/tools/code-interpreter/container-files.js';
import { BubblewrapSandbox, CodeSessions } from '../src/tools/code-interpreter/index.js';
import { projectFiles } from '../src/tools/code-interpreter/project-files.js';
import { jsonOf, openBackendStore, withBackendDb } from './helpers/backend-db.js';
import { sdkClient } from './helpers/client.js';
import { backendEnv } from './helpers/test-backend.js';
import { removeDataDir, startTestServer, type TestServer } from './helpers/test-server.js';

/**
 * code_interpreter in containers, at the tool level: the server serves the Containers API, and this process runs
 * the tool over the same store and blob store with the real bubblewrap sandbox, as a worker executing a response
 * would. What the code does is then checked through the API.
 */
const TEST_TIMEOUT = { timeout: 120_000 };

let server: TestServer;
let client: OpenAI;
let store: Store;
let opened: OpenedBlobStore;
let sessions: CodeSessions;
let tool: BuiltinTool;
let root: string;
let calls = 0;

before(async () => {
  server = await startTestServer({ env: { EMBEDDING_MODEL: 'none' } });
  client = sdkClient(server);
  store = await openBackendStore(server.dataDir);
  const config = loadConfig({ DATA_DIR: server.dataDir, ...(await backendEnv(server.dataDir)) });
  opened = await openBlobStore(config.blobStore);
  root = await mkdtemp(join(tmpdir(), 'containers-code-'));
  // The sandbox's uid must be able to pass through (not list) the directory holding the work dirs.
  await chmod(root, 0o711);
  const sandbox = await BubblewrapSandbox.create({ timeoutMs: 30_000 });
  assert.equal(sandbox.available, true, `sandbox unavailable: ${sandbox.unavailableReason}`);
  sessions = new CodeSessions({ sandbox, root });
  tool = createCodeInterpreterTool({
    sessions,
    unavailableReason: undefined,
    files: projectFiles(store, opened.blobs),
    containerFiles: containerFiles(store, opened.blobs),
    timeoutMs: 30_000,
    outputLimits: { maxFiles: 20, maxBytes: 100 * 1024 * 1024 },
  });
});

after(async () => {
  await sessions?.closeAll();
  await opened?.blobs.close();
  await store?.close();
  await server?.stop();
  if (server) removeDataDir(server);
  if (root) await rm(root, { recursive: true, force: true });
});

/** Runs `code` as one code_interpreter call of a response using the container. */
async function runIn(containerId: string, ...lines: string[]) {
  calls += 1;
  const context: BuiltinToolContext = {
    project: 'default',
    run: { id: `resp_${calls}`, thread_id: `thread_private${calls}` } as Run,
    vectorStoreIds: [],
    codeFileIds: [],
    ordinal: 0,
    callId: `call_${calls}`,
    signal: new AbortController().signal,
    generatedFiles: new Map(),
    containerId,
  };
  const outcome = await tool.execute(JSON.stringify({ code: lines.join('\n') }), context);
  assert.equal(outcome.toolCall.type, 'code_interpreter');
  const outputs = outcome.toolCall.type === 'code_interpreter' ? outcome.toolCall.code_interpreter.outputs : [];
  const logs = outputs.flatMap((output) => (output.type === 'logs' ? [output.logs] : [])).join('\n');
  return { outcome, outputs, logs, generated: context.generatedFiles };
}

async function filesOf(containerId: string) {
  return (await client.containers.files.list(containerId, { order: 'asc', limit: 100 })).data;
}

async function contentOf(containerId: string, fileId: string): Promise<string> {
  return (await client.containers.files.content.retrieve(fileId, { container_id: containerId })).text();
}

/** Moves a container's last activity back by `seconds`, as if it had sat idle. */
async function idleFor(containerId: string, seconds: number): Promise<void> {
  await withBackendDb(server.dataDir, async (db) => {
    const row = await db.get<{ data: unknown }>('SELECT data FROM containers WHERE id = ?', [containerId]);
    const data = jsonOf<{ last_active_at: number; expires_after: { minutes: number } }>(row!.data);
    data.last_active_at -= seconds;
    await db.run('UPDATE containers SET data = ?, expires_at = ? WHERE id = ?', [
      JSON.stringify(data),
      data.last_active_at + data.expires_after.minutes * 60,
      containerId,
    ]);
  });
}

describe('code_interpreter in a container', () => {
  test(
    'the code reads the files the container was created with; what it writes becomes a container file',
    TEST_TIMEOUT,
    async () => {
      const csv = await client.files.create({
        file: await toFile(Buffer.from('month,revenue\njan,10\nfeb,32\n'), 'sales.csv'),
        purpose: 'assistants',
      });
      const container = await client.containers.create({ name: 'Sales', file_ids: [csv.id] });
      await idleFor(container.id, 60);
      const { outcome, logs, generated } = await runIn(
        container.id,
        'import pandas as pd',
        "frame = pd.read_csv('/mnt/data/sales.csv')",
        "frame.assign(double=frame.revenue * 2).to_csv('/mnt/data/doubled.csv', index=False)",
        'print(frame.revenue.sum())',
      );
      assert.equal(logs, '42');
      const files = await filesOf(container.id);
      assert.deepEqual(
        files.map((file) => [file.path, file.source]),
        [
          ['/mnt/data/sales.csv', 'user'],
          ['/mnt/data/doubled.csv', 'assistant'],
        ],
      );
      const written = files[1]!;
      assert.deepEqual([...generated], [['/mnt/data/doubled.csv', written.id]]);
      assert.match(outcome.modelOutput, /sandbox:\/mnt\/data\/doubled\.csv/);
      assert.equal(await contentOf(container.id, written.id), 'month,revenue,double\njan,10,20\nfeb,32,64\n');
      // The call counted as use: last_active_at moved past the minute it had been set back.
      const used = await client.containers.retrieve(container.id);
      assert.ok(used.last_active_at! >= container.last_active_at!, 'the call moved last_active_at');
    },
  );

  test('each container keeps its own Python session and /mnt/data', TEST_TIMEOUT, async () => {
    const first = await client.containers.create({ name: 'First' });
    const second = await client.containers.create({ name: 'Second' });
    await runIn(first.id, 'secret = 41', "open('/mnt/data/mine.txt', 'w').write('first')");
    assert.equal((await runIn(first.id, 'print(secret + 1)')).logs, '42');
    const other = await runIn(second.id, 'import os', "print('secret' in globals(), os.listdir('/mnt/data'))");
    assert.equal(other.logs, 'False []');
  });

  test(
    'files added or deleted through the API appear in and leave /mnt/data before the next call',
    TEST_TIMEOUT,
    async () => {
      const container = await client.containers.create({ name: 'Synced' });
      await runIn(container.id, 'x = 1');
      const added = await client.containers.files.create(container.id, {
        file: await toFile(Buffer.from('hello from the API'), 'greeting.txt'),
      });
      assert.equal(
        (await runIn(container.id, "print(open('/mnt/data/greeting.txt').read())")).logs,
        'hello from the API',
      );
      await client.containers.files.delete(added.id, { container_id: container.id });
      const listing = await runIn(container.id, 'import os', "print(sorted(os.listdir('/mnt/data')))");
      assert.equal(listing.logs, '[]');
    },
  );

  test('a file the code writes again replaces its record and stays in /mnt/data', TEST_TIMEOUT, async () => {
    const container = await client.containers.create({ name: 'Rewrites' });
    const first = await runIn(container.id, "open('/mnt/data/log.txt', 'w').write('one')");
    const second = await runIn(container.id, "open('/mnt/data/log.txt', 'a').write(' two')");
    const files = await filesOf(container.id);
    assert.equal(files.length, 1);
    assert.equal(files[0]!.id, second.generated.get('/mnt/data/log.txt'));
    assert.notEqual(files[0]!.id, first.generated.get('/mnt/data/log.txt'));
    assert.equal(await contentOf(container.id, files[0]!.id), 'one two');
    assert.equal((await runIn(container.id, "print(open('/mnt/data/log.txt').read())")).logs, 'one two');
  });

  test('a figure becomes a container file, shown as an image output of the call', TEST_TIMEOUT, async () => {
    const container = await client.containers.create({ name: 'Charts' });
    const { outcome, outputs } = await runIn(
      container.id,
      'import matplotlib.pyplot as plt',
      'plt.plot([1, 2, 3], [1, 4, 9])',
      'plt.show()',
    );
    const images = outputs.flatMap((output) => (output.type === 'image' ? [output.image.file_id] : []));
    assert.equal(images.length, 1);
    assert.deepEqual(outcome.imageFileIds, []);
    const [figure] = await filesOf(container.id);
    assert.equal(figure!.id, images[0]);
    assert.match(figure!.path, /^\/mnt\/data\/call_\d+-figure-1\.png$/);
    const png = Buffer.from(
      await (await client.containers.files.content.retrieve(figure!.id, { container_id: container.id })).arrayBuffer(),
    );
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  test('an expired or deleted container runs no code, and says so', TEST_TIMEOUT, async () => {
    const expiring = await client.containers.create({ name: 'Expiring' });
    await runIn(expiring.id, "open('/mnt/data/left.txt', 'w').write('x')");
    await idleFor(expiring.id, 21 * 60);
    const late = await runIn(expiring.id, "open('/mnt/data/after.txt', 'w').write('y')");
    assert.match(late.logs, /is expired or was deleted/);
    assert.equal((await client.containers.retrieve(expiring.id)).status, 'expired');
    assert.deepEqual(await filesOf(expiring.id), []);

    const deleted = await client.containers.create({ name: 'Deleted' });
    await client.containers.delete(deleted.id);
    assert.match((await runIn(deleted.id, 'print(1)')).logs, /is expired or was deleted/);
  });
});

describe('the container of a response (ContainerService.forCodeInterpreter)', () => {
  /** The service over the same store and blobs as the server's, as the Responses API will call it. */
  const service = () => new ContainerService(store, opened.blobs);

  /** The ApiError `call` rejects with. */
  async function apiErrorOf(call: Promise<unknown>): Promise<ApiError> {
    const error = await call.then(
      () => assert.fail('expected the call to fail'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ApiError, String(error));
    return error;
  }

  test('an auto container is made with the files named, and runs code on them', TEST_TIMEOUT, async () => {
    const data = await client.files.create({
      file: await toFile(Buffer.from('1\n2\n3\n'), 'numbers.txt'),
      purpose: 'assistants',
    });
    const container = await service().forCodeInterpreter('default', {
      type: 'auto',
      file_ids: [data.id],
      memory_limit: '4g',
    });
    assert.equal(container.status, 'running');
    assert.equal(container.memory_limit, '4g');
    assert.deepEqual(await client.containers.retrieve(container.id), container);
    const { logs } = await runIn(container.id, "print(sum(int(line) for line in open('/mnt/data/numbers.txt')))");
    assert.equal(logs, '6');
  });

  test('a container named by id must exist in the project and be running', TEST_TIMEOUT, async () => {
    const running = await client.containers.create({ name: 'Named' });
    assert.equal((await service().forCodeInterpreter('default', running.id)).id, running.id);

    const missing = await apiErrorOf(service().forCodeInterpreter('default', 'cntr_missing', 'tools[0].container'));
    assert.deepEqual(missing.toBody().error, {
      message: "No container found with id 'cntr_missing'.",
      type: 'invalid_request_error',
      param: 'tools[0].container',
      code: null,
    });
    const elsewhere = await apiErrorOf(service().forCodeInterpreter('another-project', running.id));
    assert.equal(elsewhere.status, 404);

    await idleFor(running.id, 21 * 60);
    const expired = await apiErrorOf(service().forCodeInterpreter('default', running.id));
    assert.equal(expired.status, 400);
    assert.equal(expired.message, 'Container is expired.');
  });

  test('an auto container with a memory limit not served, or a File not found, is refused', async () => {
    const badLimit = await apiErrorOf(
      service().forCodeInterpreter('default', { type: 'auto', memory_limit: '2g' }, 'tools[0].container'),
    );
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.param, 'tools[0].container.memory_limit');
    const missingFile = await apiErrorOf(
      service().forCodeInterpreter('default', { type: 'auto', file_ids: ['file-nope'] }, 'tools[0].container'),
    );
    assert.equal(missingFile.status, 404);
    assert.equal(missingFile.param, 'tools[0].container.file_ids');
  });
});

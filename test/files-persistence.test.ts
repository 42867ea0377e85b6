import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { toFile } from 'openai';
import { jsonOf, withBackendDb } from './helpers/backend-db.js';
import { sdkClient } from './helpers/client.js';
import { listBlobs, rejectsWith, sha256Of, sha256OfBuffer } from './helpers/file-fixtures.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const servers: TestServer[] = [];
const dataDirs = new Set<string>();

after(async () => {
  for (const server of servers) await server.stop();
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
});

async function start(dataDir?: string): Promise<TestServer> {
  const server = await startTestServer(dataDir === undefined ? {} : { dataDir });
  servers.push(server);
  dataDirs.add(server.dataDir);
  return server;
}

test('files and their bytes survive a restart', async () => {
  const fixtures = mkdtempSync(path.join(tmpdir(), 'files-restart-'));
  dataDirs.add(fixtures);
  const bytes = Buffer.from(Array.from({ length: 50_000 }, (_, index) => (index * 7 + 3) % 256));
  writeFileSync(path.join(fixtures, 'kept.bin'), bytes);

  const first = await start();
  const created = await sdkClient(first).files.create({
    file: createReadStream(path.join(fixtures, 'kept.bin')),
    purpose: 'assistants',
  });
  await first.stop();

  const second = await start(first.dataDir);
  const client = sdkClient(second);
  assert.deepEqual(await client.files.retrieve(created.id), created);
  assert.deepEqual((await client.files.list()).data, [created]);
  const downloaded = await sha256Of(
    (await client.files.content(created.id)).body as unknown as AsyncIterable<Uint8Array>,
  );
  assert.equal(downloaded.sha256, sha256OfBuffer(bytes));
  assert.deepEqual(await client.files.delete(created.id), { id: created.id, object: 'file', deleted: true });
});

test('a file past its expires_at is gone: 404, out of lists, and its bytes deleted', async () => {
  const first = await start();
  const client = sdkClient(first);
  const expiring = await client.files.create({
    file: await toFile(Buffer.from('short-lived'), 'expiring.txt'),
    purpose: 'assistants',
    expires_after: { anchor: 'created_at', seconds: 3600 },
  });
  const lasting = await client.files.create({
    file: await toFile(Buffer.from('lasting'), 'lasting.txt'),
    purpose: 'assistants',
  });
  assert.equal(listBlobs(first.dataDir).length, 2);
  await first.stop();

  // Nobody waits an hour in a test: move the expiry into the past while the server is down.
  const past = Math.floor(Date.now() / 1000) - 1;
  await withBackendDb(first.dataDir, async (db) => {
    const row = await db.get<{ data: unknown }>('SELECT data FROM files WHERE id = ?', [expiring.id]);
    const data = { ...jsonOf<Record<string, unknown>>(row!.data), expires_at: past };
    const changed = await db.run('UPDATE files SET expires_at = ?, data = ? WHERE id = ?', [
      past,
      JSON.stringify(data),
      expiring.id,
    ]);
    assert.equal(changed, 1);
  });

  const second = await start(first.dataDir);
  const again = sdkClient(second);
  assert.deepEqual(
    (await again.files.list()).data.map((file) => file.id),
    [lasting.id],
  );
  await rejectsWith(again.files.retrieve(expiring.id), { status: 404 });
  await rejectsWith(again.files.content(expiring.id), { status: 404 });
  await rejectsWith(again.files.delete(expiring.id), { status: 404 });
  assert.equal(listBlobs(second.dataDir).length, 1);
  assert.equal(await (await again.files.content(lasting.id)).text(), 'lasting');
});

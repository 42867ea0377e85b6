import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jsonOf, withBackendDb } from './helpers/backend-db.js';
import { sdkClient } from './helpers/client.js';
import { rejectsWith } from './helpers/file-fixtures.js';
import { pollUntil } from './helpers/poll.js';
import { type RunFixture, startRunFixture } from './helpers/run-fixture.js';
import { startTestServer } from './helpers/test-server.js';
import { uploadFile, waitForStore } from './helpers/vector-store-helpers.js';

const DAY_SECONDS = 86_400;

let fixture: RunFixture;

before(async () => {
  // A fast sweep, so the test sees the worker mark stores expired within moments.
  fixture = await startRunFixture({ env: { INGESTION_SWEEP_INTERVAL_MS: '100' } });
});

after(async () => {
  await fixture?.close();
});

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Rewrites a store's row behind the server's back (nobody waits days in a test). The server reads the row on
 * every request; SQLite's WAL lets a second connection write meanwhile, as PostgreSQL does.
 */
async function editStore(
  vectorStoreId: string,
  changes: { expires_at?: number; last_active_at?: number },
): Promise<void> {
  await withBackendDb(fixture.server.dataDir, async (db) => {
    const row = await db.get<{ data: unknown }>('SELECT data FROM vector_stores WHERE id = ?', [vectorStoreId]);
    const data = { ...jsonOf<Record<string, unknown>>(row!.data), ...changes };
    const changed = await db.run('UPDATE vector_stores SET data = ?, expires_at = ? WHERE id = ?', [
      JSON.stringify(data),
      data.expires_at ?? null,
      vectorStoreId,
    ]);
    assert.equal(changed, 1);
  });
}

/** The store's `expired` column as 0 or 1 (an integer on SQLite, a boolean or an integer on PostgreSQL). */
async function expiredColumn(vectorStoreId: string): Promise<number> {
  const row = await withBackendDb(fixture.server.dataDir, (db) =>
    db.get<{ expired: number | boolean }>('SELECT expired FROM vector_stores WHERE id = ?', [vectorStoreId]),
  );
  return Number(row!.expired);
}

test('a store past its expires_at is expired, the sweep records it, and search is refused', async () => {
  const { client } = fixture;
  const file = await uploadFile(client, 'fleeting.txt', 'Mayflies live for a single day.');
  const expiring = await client.vectorStores.create({
    file_ids: [file.id],
    expires_after: { anchor: 'last_active_at', days: 1 },
  });
  const lasting = await client.vectorStores.create({ file_ids: [file.id] });
  await waitForStore(client, expiring.id);
  await waitForStore(client, lasting.id);
  assert.equal((await client.vectorStores.search(expiring.id, { query: 'mayflies' })).data.length, 1);

  await editStore(expiring.id, { expires_at: nowSeconds() - 1 });
  await pollUntil(async () => (await expiredColumn(expiring.id)) === 1, {
    what: 'the ingestion worker sweep to mark the store expired',
  });

  const view = await client.vectorStores.retrieve(expiring.id);
  assert.equal(view.status, 'expired');
  assert.deepEqual(view.file_counts, { in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 });
  assert.equal(
    (await client.vectorStores.list({ limit: 100 })).data.find((store) => store.id === expiring.id)?.status,
    'expired',
  );
  await rejectsWith(client.vectorStores.search(expiring.id, { query: 'mayflies' }), {
    status: 400,
    code: 'vector_store_expired',
    message: `Vector store ${expiring.id} has expired`,
  });
  // A search does not revive it, and a store without expires_after is untouched by the sweep.
  assert.equal((await client.vectorStores.retrieve(expiring.id)).status, 'expired');
  assert.equal(await expiredColumn(lasting.id), 0);
  assert.equal((await client.vectorStores.retrieve(lasting.id)).status, 'completed');
  assert.equal((await client.vectorStores.search(lasting.id, { query: 'mayflies' })).data.length, 1);
  // An expired store can still be deleted.
  assert.equal((await client.vectorStores.delete(expiring.id)).deleted, true);
});

test('expires_after anchored on last_active_at moves with activity', async () => {
  const { client } = fixture;
  const file = await uploadFile(client, 'active.txt', 'Hummingbirds beat their wings fifty times a second.');
  const store = await client.vectorStores.create({
    file_ids: [file.id],
    expires_after: { anchor: 'last_active_at', days: 2 },
  });
  await waitForStore(client, store.id);
  const longAgo = nowSeconds() - 5 * 3600;
  await editStore(store.id, { last_active_at: longAgo, expires_at: longAgo + 2 * DAY_SECONDS });
  const idle = await client.vectorStores.retrieve(store.id);
  assert.equal(idle.last_active_at, longAgo);
  assert.equal(idle.expires_at, longAgo + 2 * DAY_SECONDS);

  const searchedAt = nowSeconds();
  await client.vectorStores.search(store.id, { query: 'hummingbirds' });
  const touched = await client.vectorStores.retrieve(store.id);
  assert.ok(touched.last_active_at! >= searchedAt, 'a search is activity');
  assert.equal(touched.expires_at, touched.last_active_at! + 2 * DAY_SECONDS);
  assert.equal(touched.status, 'completed');
});

test('a store whose expiry passed while the server was down is expired after a restart', async () => {
  const { client } = fixture;
  const store = await client.vectorStores.create({ expires_after: { anchor: 'last_active_at', days: 30 } });
  await fixture.server.stop();
  await editStore(store.id, { expires_at: nowSeconds() - 60 });
  const restarted = await startTestServer({
    dataDir: fixture.server.dataDir,
    env: { INGESTION_SWEEP_INTERVAL_MS: '100', EMBEDDING_MODEL: 'none' },
  });
  try {
    await pollUntil(async () => (await expiredColumn(store.id)) === 1, {
      what: 'the sweep on start to mark it expired',
    });
    const again = sdkClient(restarted);
    assert.equal((await again.vectorStores.retrieve(store.id)).status, 'expired');
    await rejectsWith(again.vectorStores.search(store.id, { query: 'anything' }), {
      status: 400,
      code: 'vector_store_expired',
    });
  } finally {
    await restarted.stop();
  }
});

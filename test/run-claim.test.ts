import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Run } from '../src/api/types.js';
import type { RunEventBus } from '../src/runs/run-event-bus.js';
import { runStatusEvent } from '../src/runs/run-events.js';
import { startRun } from '../src/runs/run-execution.js';
import { IllegalTransitionError } from '../src/runs/run-status.js';
import type { RunWriter } from '../src/runs/run-writer.js';
import type { Store } from '../src/store/store.js';
import { openRunWriterFixture, type RunWriterFixture } from './helpers/run-writer-fixture.js';

const LEASE_MS = 60_000;

/**
 * Claiming a queued run and starting it are one write transaction (`RunWriter.claim`), against a real database (the
 * pass's: a SQLite file, or PostgreSQL): the lease, the move to in_progress and its event land together or not at all.
 */
describe('RunWriter.claim', () => {
  let fixture: RunWriterFixture;
  let store: Store;
  let bus: RunEventBus;
  let writer: RunWriter;
  let queuedRun: RunWriterFixture['queuedRun'];

  before(async () => {
    fixture = await openRunWriterFixture('run-claim');
    ({ store, bus, writer, queuedRun } = fixture);
  });

  after(() => fixture.close());

  const claim = (owner: string, start = startRun) => {
    const now = Date.now();
    return writer.claim(owner, now + LEASE_MS, now, start);
  };

  test('a claim leases the run, moves it to in_progress, counts its first model call and appends the event, announced', async () => {
    const run = await queuedRun();
    const subscription = bus.subscribe(run.id);
    try {
      const claimed = await claim('worker-a');
      assert.equal(claimed?.run.id, run.id);
      assert.equal(claimed?.run.status, 'in_progress');
      assert.ok(claimed?.run.started_at !== null);
      assert.equal(claimed?.state.modelCalls, 1);

      const stored = await store.runs.getById(run.id);
      assert.equal(stored?.run.status, 'in_progress');
      assert.equal(stored?.state.modelCalls, 1);
      const log = await store.runs.events(run.id, 0, 10);
      assert.deepEqual(
        log.map((record) => record.event),
        ['thread.run.queued', 'thread.run.in_progress'],
      );
      assert.deepEqual(
        subscription.take().records.map((record) => record.event),
        ['thread.run.in_progress'],
      );
      // Leased: no other worker takes it, and it is not an orphan while the lease runs.
      assert.equal(await claim('worker-b'), undefined);
      assert.deepEqual(
        (await store.runs.orphaned(Date.now())).map((orphan) => orphan.run.id),
        [],
      );
      // Once the lease has run out (the worker died), the run is an orphan for recovery to end.
      assert.deepEqual(
        (await store.runs.orphaned(Date.now() + 2 * LEASE_MS)).map((orphan) => orphan.run.id),
        [run.id],
      );
      await writer.commit(run.id, (current) => {
        const ended: Run = { ...current.run, status: 'failed' };
        return { run: ended, events: [runStatusEvent(ended)] };
      });
    } finally {
      subscription.close();
    }
  });

  test('a start that throws (an illegal transition) leaves the run queued, unleased and its log as it was', async () => {
    const run = await queuedRun();
    const lastSeq = await store.runs.lastEventSeq(run.id);
    await assert.rejects(
      claim('worker-a', (current) => {
        const completed: Run = { ...current.run, status: 'completed' };
        return { run: completed, events: [runStatusEvent(completed)] };
      }),
      IllegalTransitionError,
    );
    const stored = await store.runs.getById(run.id);
    assert.equal(stored?.run.status, 'queued');
    assert.equal(stored?.state.modelCalls, 0);
    assert.equal(await store.runs.lastEventSeq(run.id), lastSeq);
    // The lease was rolled back with the rest: another worker claims it at once.
    const claimed = await claim('worker-b');
    assert.equal(claimed?.run.id, run.id);
    assert.equal(claimed?.run.status, 'in_progress');
  });

  test('workers claiming at once take different runs, oldest first, and none twice', async () => {
    const runs = [await queuedRun(), await queuedRun(), await queuedRun()];
    const claimed = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((owner) => claim(owner)));
    const ids = claimed.filter((entry) => entry !== undefined).map((entry) => entry!.run.id);
    assert.deepEqual([...ids].sort(), runs.map((run) => run.id).sort());
    for (const run of runs) {
      assert.deepEqual(
        (await store.runs.events(run.id, 0, 10)).map((record) => record.event),
        ['thread.run.queued', 'thread.run.in_progress'],
      );
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Run, Thread } from '../src/api/types.js';
import { buildRun } from '../src/runs/build-run.js';
import type { RunEventBus } from '../src/runs/run-event-bus.js';
import { runStatusEvent, stepEvent } from '../src/runs/run-events.js';
import { endStep, newAssistantMessage, newToolCallsStep } from '../src/runs/run-objects.js';
import { IllegalTransitionError } from '../src/runs/run-status.js';
import type { RunWriter } from '../src/runs/run-writer.js';
import type { Store } from '../src/store/store.js';
import { assistant, openRunWriterFixture, PROJECT, type RunWriterFixture } from './helpers/run-writer-fixture.js';

/**
 * The run writer against a real database (the pass's: a SQLite file, or PostgreSQL): illegal transitions are
 * programming errors that write nothing.
 */
describe('RunWriter', () => {
  let fixture: RunWriterFixture;
  let store: Store;
  let bus: RunEventBus;
  let writer: RunWriter;
  let queuedRun: RunWriterFixture['queuedRun'];

  before(async () => {
    fixture = await openRunWriterFixture('run-writer');
    ({ store, bus, writer, queuedRun } = fixture);
  });

  after(() => fixture.close());

  async function moveTo(run: Run, status: Run['status']): Promise<Run> {
    const { stored } = await writer.commit(run.id, (current) => {
      const next: Run = { ...current.run, status };
      return { run: next, events: [runStatusEvent(next)] };
    });
    return stored!.run;
  }

  test('a legal transition is written with its events and announced to subscribers', async () => {
    const run = await queuedRun();
    const subscription = bus.subscribe(run.id);
    try {
      const started = await moveTo(run, 'in_progress');
      assert.equal(started.status, 'in_progress');
      assert.equal((await store.runs.getById(run.id))?.run.status, 'in_progress');
      const delivered = subscription.take().records.map((record) => record.event);
      assert.deepEqual(delivered, ['thread.run.in_progress']);
    } finally {
      subscription.close();
    }
  });

  test('an illegal run transition throws and leaves the rows and the event log as they were', async () => {
    const run = await queuedRun();
    const lastSeq = await store.runs.lastEventSeq(run.id);
    await assert.rejects(moveTo(run, 'completed'), (error: unknown) => {
      assert.ok(error instanceof IllegalTransitionError);
      assert.equal(error.kind, 'run');
      assert.equal(error.from, 'queued');
      assert.equal(error.to, 'completed');
      return true;
    });
    assert.equal((await store.runs.getById(run.id))?.run.status, 'queued');
    assert.equal(await store.runs.lastEventSeq(run.id), lastSeq);
  });

  test('a terminal run never changes status again, though its metadata may change', async () => {
    const run = await queuedRun();
    await moveTo(run, 'in_progress');
    await moveTo(run, 'completed');
    await assert.rejects(moveTo(run, 'in_progress'), IllegalTransitionError);
    const { stored } = await writer.commit(run.id, (current) => ({
      run: { ...current.run, metadata: { note: 'kept' } },
      events: [],
    }));
    assert.deepEqual(stored?.run.metadata, { note: 'kept' });
    assert.equal(stored?.run.status, 'completed');
  });

  test('a run cannot be created in any status but queued', async () => {
    const thread: Thread = {
      id: 'thread_writer_created',
      object: 'thread',
      created_at: 0,
      metadata: {},
      tool_resources: null,
    };
    const run = {
      ...buildRun({ assistant, threadId: thread.id, overrides: {}, createdAt: 0, expiresAfterSeconds: 600 }),
      status: 'in_progress' as const,
    };
    const state = { include: [], reasoningEffort: null, modelCalls: 0, usedTokens: { prompt: 0, completion: 0 } };
    await assert.rejects(
      writer.create({ project: PROJECT, thread, messages: [], run, state, events: [] }),
      IllegalTransitionError,
    );
    assert.equal(await store.runs.getById(run.id), undefined);
  });

  test('steps and messages are checked against their own tables', async () => {
    const run = await moveTo(await queuedRun(), 'in_progress');
    const step = newToolCallsStep(run);
    await writer.commit(run.id, () => ({ steps: [step], events: [stepEvent(step, 'created')] }));
    const failed = endStep(step, 'failed', { code: 'server_error', message: 'boom' });
    await writer.commit(run.id, () => ({ steps: [failed], events: [stepEvent(failed, 'failed')] }));
    const reopened = { ...failed, status: 'in_progress' as const };
    await assert.rejects(
      writer.commit(run.id, () => ({ steps: [reopened], events: [] })),
      (error: unknown) => error instanceof IllegalTransitionError && error.kind === 'step' && error.from === 'failed',
    );
    const created = { ...newToolCallsStep(run), status: 'cancelled' as const };
    await assert.rejects(
      writer.commit(run.id, () => ({ steps: [created], events: [] })),
      IllegalTransitionError,
    );

    const message = newAssistantMessage(run);
    await writer.commit(run.id, () => ({ messages: [message], events: [] }));
    const incomplete = { ...message, status: 'incomplete' as const };
    await writer.commit(run.id, () => ({ messages: [incomplete], events: [] }));
    await assert.rejects(
      writer.commit(run.id, () => ({ messages: [{ ...message, status: 'completed' as const }], events: [] })),
      (error: unknown) =>
        error instanceof IllegalTransitionError && error.kind === 'message' && error.from === 'incomplete',
    );
    const stored = await store.messages.get(PROJECT, run.thread_id, message.id);
    assert.equal(stored?.status, 'incomplete');
  });
});

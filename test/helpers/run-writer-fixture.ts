import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Assistant, Run, Thread } from '../../src/api/types.js';
import { buildRun } from '../../src/runs/build-run.js';
import { RunEventBus } from '../../src/runs/run-event-bus.js';
import { runStatusEvent } from '../../src/runs/run-events.js';
import { RunWriter } from '../../src/runs/run-writer.js';
import type { Store } from '../../src/store/store.js';
import { openBackendStore } from './backend-db.js';

export const PROJECT = 'default';

/** The assistant every fixture run is built from. */
export const assistant = {
  id: 'asst_writer',
  object: 'assistant',
  created_at: 0,
  name: null,
  description: null,
  model: 'gpt-4o',
  instructions: null,
  tools: [],
  metadata: {},
} as unknown as Assistant;

export interface RunWriterFixture {
  store: Store;
  bus: RunEventBus;
  writer: RunWriter;
  /** A new thread with a queued run on it, written through the writer. */
  queuedRun(): Promise<Run>;
  close(): Promise<void>;
}

/** A RunWriter over the pass's database (a SQLite file, or PostgreSQL) in a temporary data directory. */
export async function openRunWriterFixture(label: string): Promise<RunWriterFixture> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `${label}-`));
  const store = await openBackendStore(dataDir);
  const bus = new RunEventBus();
  const writer = new RunWriter(store.runs, bus);
  return {
    store,
    bus,
    writer,
    async queuedRun() {
      const thread: Thread = {
        id: `thread_${Math.random().toString(36).slice(2)}`,
        object: 'thread',
        created_at: 0,
        metadata: {},
        tool_resources: null,
      };
      const run = buildRun({ assistant, threadId: thread.id, overrides: {}, createdAt: 0, expiresAfterSeconds: 600 });
      const state = { include: [], reasoningEffort: null, modelCalls: 0, usedTokens: { prompt: 0, completion: 0 } };
      await writer.create({ project: PROJECT, thread, messages: [], run, state, events: [runStatusEvent(run)] });
      return run;
    },
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import type { RunEventRecord, RunRepository } from '../store/run-repository.js';
import type { RunEventBus } from './run-event-bus.js';
import { type RunStreamEvent, STREAM_END_EVENTS } from './run-events.js';
import { isTerminal } from './run-status.js';

const PAGE = 500;

/**
 * A run's events after `afterSeq`, replayed from the log and then followed live, until the run
 * pauses for tool outputs or ends. The subscription exists before the first read, so every append
 * after it is either read from the log or delivered by the bus; live events come from the bus
 * without touching the log. Stops quietly when `signal` aborts (the client left); the run goes on.
 */
export async function* streamRunEvents(
  runs: RunRepository,
  bus: RunEventBus,
  runId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<RunStreamEvent> {
  const subscription = bus.subscribe(runId);
  let cursor = afterSeq;
  let readLog = true;
  let runEnded = false;
  /** Yields records newer than the cursor; true once the stream has reached its end event. */
  const emit = function* (records: readonly RunEventRecord[]): Generator<RunStreamEvent, boolean> {
    for (const entry of records) {
      if (entry.seq <= cursor) continue;
      cursor = entry.seq;
      yield { id: String(entry.seq), event: entry.event, data: entry.data };
      if (STREAM_END_EVENTS.has(entry.event)) return true;
    }
    return false;
  };
  try {
    while (!signal.aborted) {
      if (readLog) {
        const events = await runs.events(runId, cursor, PAGE);
        if (yield* emit(events)) return;
        if (events.length === PAGE) continue;
        readLog = false;
        if (events.length === 0) {
          if (runEnded) return;
          // A client resuming after a finished run's last event (it lost the connection just before
          // `done`) would otherwise wait forever. The run may have ended after the read above, so a
          // finished run gets one more read before the stream gives up.
          if (await hasEnded(runs, runId)) {
            runEnded = true;
            readLog = true;
            continue;
          }
        }
      }
      await subscription.next(signal).catch(() => undefined);
      const delivery = subscription.take();
      if (delivery.reread) readLog = true;
      else if (yield* emit(delivery.records)) return;
    }
  } finally {
    subscription.close();
  }
}

async function hasEnded(runs: RunRepository, runId: string): Promise<boolean> {
  const stored = await runs.getById(runId);
  return stored === undefined || isTerminal(stored.run.status);
}

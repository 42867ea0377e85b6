import type { SseEvent } from '../http/sse.js';
import type { RunRepository } from '../store/run-repository.js';
import type { RunEventBus } from './run-event-bus.js';
import { STREAM_END_EVENTS } from './run-events.js';
import { isTerminal } from './run-status.js';

const PAGE = 500;

/**
 * A run's events after `afterSeq`, replayed from the log and then followed live, until the run
 * pauses for tool outputs or ends. Subscribing before each read means no append is missed.
 * Stops quietly when `signal` aborts (the client left); the run itself goes on.
 */
export async function* streamRunEvents(
  runs: RunRepository,
  bus: RunEventBus,
  runId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<SseEvent> {
  const subscription = bus.subscribe(runId);
  let cursor = afterSeq;
  let runEnded = false;
  try {
    while (!signal.aborted) {
      const events = await runs.events(runId, cursor, PAGE);
      for (const entry of events) {
        cursor = entry.seq;
        yield { id: String(entry.seq), event: entry.event, data: entry.data };
        if (STREAM_END_EVENTS.has(entry.event)) return;
      }
      if (events.length === PAGE) continue;
      if (events.length === 0) {
        if (runEnded) return;
        // A client resuming after a finished run's last event (it lost the connection just before
        // `done`) would otherwise wait forever. The run may have ended after the read above, so a
        // finished run gets one more read before the stream gives up.
        if (await hasEnded(runs, runId)) {
          runEnded = true;
          continue;
        }
      }
      await subscription.next(signal).catch(() => undefined);
    }
  } finally {
    subscription.close();
  }
}

async function hasEnded(runs: RunRepository, runId: string): Promise<boolean> {
  const stored = await runs.getById(runId);
  return stored === undefined || isTerminal(stored.run.status);
}

import type { SseEvent } from '../http/sse.js';
import type { RunRepository } from '../store/run-repository.js';
import type { RunEventBus } from './run-event-bus.js';
import { STREAM_END_EVENTS } from './run-events.js';

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
  try {
    while (!signal.aborted) {
      const events = await runs.events(runId, cursor, PAGE);
      for (const entry of events) {
        cursor = entry.seq;
        yield { id: String(entry.seq), event: entry.event, data: entry.data };
        if (STREAM_END_EVENTS.has(entry.event)) return;
      }
      if (events.length < PAGE) await subscription.next(signal).catch(() => undefined);
    }
  } finally {
    subscription.close();
  }
}

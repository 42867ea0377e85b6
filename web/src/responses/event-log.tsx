import type { ResponseStreamEvent } from '../api/types.js';

/** Every event of the stream, in order: its type and sequence number, each opening onto its JSON. */
export function EventLog({ events }: { events: ResponseStreamEvent[] }) {
  return (
    <details class="event-log">
      <summary>Events ({events.length})</summary>
      {events.length === 0 && <p class="muted">No events: a retrieved response has none.</p>}
      <ol class="events" aria-label="Events">
        {events.map((event) => (
          <li key={event.sequence_number}>
            <details>
              <summary>
                <span class="mono">#{event.sequence_number}</span> <code>{event.type}</code>
              </summary>
              <pre class="code">{JSON.stringify(event, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </details>
  );
}

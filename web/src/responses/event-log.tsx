import { useState } from 'preact/hooks';
import type { ResponseStreamEvent } from '../api/types.js';

/** One event: its sequence number and type, opening onto its JSON (written out only once opened: streams are long). */
function EventEntry({ event }: { event: ResponseStreamEvent }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(toggle) => setOpen(toggle.currentTarget.open)}>
      <summary>
        <span class="mono">#{event.sequence_number}</span> <code>{event.type}</code>
      </summary>
      {open && <pre class="code">{JSON.stringify(event, null, 2)}</pre>}
    </details>
  );
}

/** Every event of the stream, in order, collapsed under one summary. */
export function EventLog({ events }: { events: ResponseStreamEvent[] }) {
  return (
    <details class="event-log">
      <summary>Events ({events.length})</summary>
      {events.length === 0 && (
        <p class="muted">No events shown: a retrieved response comes whole (replay its events from above).</p>
      )}
      <ol class="events" aria-label="Events">
        {events.map((event) => (
          <li key={event.sequence_number}>
            <EventEntry event={event} />
          </li>
        ))}
      </ol>
    </details>
  );
}

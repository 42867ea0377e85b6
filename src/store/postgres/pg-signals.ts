import pg from 'pg';
import type { StoreSignals } from '../store.js';

const RECONNECT_DELAY_MS = 1_000;

/**
 * Signals between the processes sharing one PostgreSQL database, on LISTEN/NOTIFY. One dedicated connection
 * listens (reconnecting after a loss, then telling `onReconnect` so callers can catch up on what they missed —
 * notifications sent meanwhile are gone); NOTIFY goes through the pool.
 */
export class PgSignals implements StoreSignals {
  readonly #handlers = new Map<string, Array<(payload: string) => void>>();
  readonly #reconnectHandlers: Array<() => void> = [];
  #client: pg.Client | undefined;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Connects the listening connection; the channels subscribed before and after are listened to. */
  async start(): Promise<void> {
    await this.#connect();
  }

  async publish(channel: string, payload: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async subscribe(channel: string, handler: (payload: string) => void): Promise<void> {
    const handlers = this.#handlers.get(channel);
    if (handlers) {
      handlers.push(handler);
      return;
    }
    this.#handlers.set(channel, [handler]);
    await this.#client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  }

  onReconnect(handler: () => void): void {
    this.#reconnectHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      for (const handler of this.#handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', (error) => {
      this.onError(error);
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    await client.connect();
    for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.end().catch(() => {});
    const retry = () => {
      if (this.#closed) return;
      this.#connect().then(
        () => {
          for (const handler of this.#reconnectHandlers) handler();
        },
        (error: unknown) => {
          this.onError(error);
          this.#timer = setTimeout(retry, RECONNECT_DELAY_MS);
        },
      );
    };
    this.#timer = setTimeout(retry, RECONNECT_DELAY_MS);
  }
}

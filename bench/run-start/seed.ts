import pg from 'pg';
import type { Message, Thread } from '../../src/api/types.js';
import { newId, nowSeconds } from '../../src/ids.js';
import { buildMessage } from '../../src/services/message-content.js';
import { openStore } from '../../src/store/open-store.js';

/** What a seeded thread holds: its id and how many user/assistant messages. */
export interface SeededThread {
  id: string;
  messages: number;
}

/** A deterministic sentence of about `MESSAGE_TOKENS` o200k tokens: prose, numbered so no two are the same. */
export function messageText(index: number): string {
  return (
    `Message ${index}: the committee reviewed the quarterly figures for the northern region and agreed that the ` +
    `shipping delays were caused by the new warehouse schedule, not by the suppliers; the team will revisit the ` +
    `plan on Thursday and report back with a revised estimate before the end of the month.`
  );
}

/**
 * Seeds threads straight through the server's own store (the same code and schema the server uses, in its
 * DATA_DIR or DATABASE_URL) before the server starts: 100,000 messages through the HTTP API would take minutes,
 * through the store seconds (PostgreSQL: the first 5,000 through the store, the rest in bulk statements). Messages
 * alternate user/assistant, as a conversation does, and carry no token counts (the server counts each once, when a
 * run first reads it).
 */
export async function seedThreads(
  target: { dataDir: string; databaseUrl: string | undefined },
  sizes: readonly number[],
): Promise<SeededThread[]> {
  const store = await openStore({
    databaseUrl: target.databaseUrl,
    dataDir: target.dataDir,
    vectorDimensions: undefined,
    origin: 'bench-run-start-seed',
    onSignalError: () => {},
  });
  try {
    const seeded: SeededThread[] = [];
    for (const size of sizes) {
      const createdAt = nowSeconds();
      const thread: Thread = {
        id: newId('thread_'),
        object: 'thread',
        created_at: createdAt,
        tool_resources: {},
        metadata: {},
      };
      const batch = (from: number, to: number): Message[] => {
        const messages: Message[] = [];
        for (let index = from; index < to; index++) messages.push(seedMessage(thread.id, index, createdAt));
        return messages;
      };
      const first = Math.min(size, 5_000);
      await store.threads.insert('default', thread, batch(0, first));
      for (let from = first; from < size; from += 5_000) {
        const messages = batch(from, Math.min(size, from + 5_000));
        if (target.databaseUrl === undefined) {
          // SQLite: the store's own insert, 50 at a time (the store commits what one event-loop turn writes together).
          for (let index = 0; index < messages.length; index += 50) {
            await Promise.all(
              messages.slice(index, index + 50).map((message) => store.messages.insert('default', message)),
            );
          }
        } else {
          await bulkInsertPostgres(target.databaseUrl, messages);
        }
      }
      seeded.push({ id: thread.id, messages: size });
    }
    return seeded;
  } finally {
    await store.close();
  }
}

function seedMessage(threadId: string, index: number, createdAt: number): Message {
  const role = index % 2 === 0 ? 'user' : 'assistant';
  return buildMessage({ threadId, request: { role, content: messageText(index) }, createdAt, id: newId('msg_') });
}

/**
 * PostgreSQL: the store inserts one message per round trip (minutes for 100,000), so the rest go in one statement
 * per 5,000, into the columns `PgMessages` writes (the message-count trigger runs as for any insert).
 */
async function bulkInsertPostgres(databaseUrl: string, messages: readonly Message[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO messages (id, project, thread_id, run_id, data)
       SELECT id, 'default', thread_id, NULL, data FROM unnest($1::text[], $2::text[], $3::text[]) AS m (id, thread_id, data)`,
      [
        messages.map((message) => message.id),
        messages.map((message) => message.thread_id),
        messages.map((message) => JSON.stringify(message)),
      ],
    );
  } finally {
    await client.end();
  }
}

/** The JSON body the create case posts, also used to seed threads. */
export const MESSAGE_BODY = JSON.stringify({ role: 'user', content: 'How many requests per second can you take?' });

export interface SeededThread {
  threadId: string;
  /** A message in the middle of the thread, so the retrieve case is not the first or last row. */
  messageId: string;
}

/**
 * Creates a thread holding `messageCount` messages through the public API (not the store),
 * so the bench measures data written the way clients write it.
 */
export async function seedThread(
  baseUrl: string,
  headers: Record<string, string>,
  messageCount: number,
): Promise<SeededThread> {
  const thread = await postJson<{ id: string }>(`${baseUrl}/v1/threads`, headers, '{}');
  const messageIds: string[] = [];
  for (let index = 0; index < messageCount; index++) {
    const message = await postJson<{ id: string }>(
      `${baseUrl}/v1/threads/${thread.id}/messages`,
      headers,
      MESSAGE_BODY,
    );
    messageIds.push(message.id);
  }
  const messageId = messageIds[Math.floor(messageIds.length / 2)];
  if (messageId === undefined) throw new Error('seedThread needs at least one message');
  return { threadId: thread.id, messageId };
}

/** Fails loudly before a measurement if the request it is about to repeat does not succeed. */
export async function expectOk(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<void> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init.method} ${url} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

async function postJson<T>(url: string, headers: Record<string, string>, body: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers, body });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A message as our server answers a create (on a thread of its own): the shape the raw SQLite ceiling stores. */
export async function sampleMessage(
  baseUrl: string,
  headers: Record<string, string>,
): Promise<{ id: string; thread_id: string } & Record<string, unknown>> {
  const thread = await postJson<{ id: string }>(`${baseUrl}/v1/threads`, headers, '{}');
  return postJson(`${baseUrl}/v1/threads/${thread.id}/messages`, headers, MESSAGE_BODY);
}

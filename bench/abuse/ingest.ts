import type OpenAI from 'openai';
import { describeFile, secondsSince, uploadAndAttach, waitForFile } from './api.js';

export interface NamedBytes {
  filename: string;
  bytes: Uint8Array;
}

/**
 * Uploads each file and adds it to the store, all at once, then waits for every one to leave `in_progress`.
 * Identical outcomes are reported once with a count (`4× failed: invalid_file: …`), then the time all took.
 */
export async function ingestAll(
  client: OpenAI,
  storeId: string,
  files: readonly NamedBytes[],
  deadline: number,
): Promise<string> {
  const started = performance.now();
  const outcomes = await Promise.all(
    files.map(async ({ filename, bytes }) => {
      const fileId = await uploadAndAttach(client, storeId, filename, bytes);
      const file = await waitForFile(client, storeId, fileId, deadline);
      return { text: describeFile(file), seconds: secondsSince(started) };
    }),
  );
  const slowest = Math.max(...outcomes.map((outcome) => outcome.seconds));
  const counts = new Map<string, number>();
  for (const { text } of outcomes) counts.set(text, (counts.get(text) ?? 0) + 1);
  const described = [...counts].map(([text, count]) => (files.length > 1 ? `${count}× ${text}` : text));
  return `${described.join('; ')} (all done in ${slowest.toFixed(1)} s)`;
}

/** A fresh vector store for one abuse, so its counts show only that abuse's files. */
export async function createStore(client: OpenAI, name: string): Promise<string> {
  return (await client.vectorStores.create({ name })).id;
}

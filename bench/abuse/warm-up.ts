import type { AbuseContext } from './abuse.js';
import { waitForFile, waitForRun } from './api.js';

/** One run and one small ingestion, so no abuse pays for the first request's lazy loading. */
export async function warmUp({ client, upstream }: AbuseContext): Promise<void> {
  upstream.respond({ text: 'Warm.' });
  const deadline = performance.now() + 60_000;
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Warm up.' }] });
  const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  await waitForRun(client, thread.id, run.id, deadline);
  const store = await client.vectorStores.create({ name: 'warm-up' });
  const file = await client.files.create({
    file: new File(['Warm up the ingestion.'], 'warm.txt'),
    purpose: 'assistants',
  });
  await client.vectorStores.files.create(store.id, { file_id: file.id });
  await waitForFile(client, store.id, file.id, deadline);
}

import type { Abuse } from '../abuse.js';
import { describeRun, secondsSince, waitForRun } from '../api.js';
import { unbrokenLetters } from '../inputs.js';

const LENGTH = 200_000;

/** A run over a thread whose one message is 200,000 characters without a space (the upstream answers). */
export const longMessage: Abuse = {
  name: 'long-message',
  title: 'run on a 200,000-char message without spaces',
  memoryGoal: false,
  async prepare({ client }) {
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', name: 'abuse: long message' });
    const thread = await client.beta.threads.create();
    const content = unbrokenLetters(LENGTH);
    return {
      async run(deadline) {
        const started = performance.now();
        await client.beta.threads.messages.create(thread.id, { role: 'user', content });
        const created = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
        const run = await waitForRun(client, thread.id, created.id, deadline);
        return `message 200, ${describeRun(run, secondsSince(started))}`;
      },
    };
  },
};

import type OpenAI from 'openai';
import type { Abuse } from '../abuse.js';
import { type Answer, answerOf, describeAnswers, shorten, waitForRun } from '../api.js';
import { plainWords, unbrokenLetters } from '../inputs.js';

const OVERSIZED = 1024 * 1024;
const OVERSIZED_REQUESTS = 50;
/** The documented limit: accepted. */
const AT_LIMIT = 256_000;
const AT_LIMIT_RUNS = 2;

/**
 * Run `instructions` of 1 MB (over the limit: a 400, which should be fast), then of exactly 256,000
 * characters, accepted: without spaces (the tokenizer's worst case; more tokens than gpt-4o's context), and
 * as ordinary words (~50,000 tokens, so the run goes to the upstream).
 */
export const instructions: Abuse = {
  name: 'instructions',
  title: `run instructions: 1 MB ×${OVERSIZED_REQUESTS}, 256,000 chars ×${AT_LIMIT_RUNS * 2}`,
  memoryGoal: false,
  async prepare({ client }) {
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', name: 'abuse: instructions' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hello.' }] });
    const oversized = unbrokenLetters(OVERSIZED);
    const create = (text: string) => () =>
      client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, instructions: text });
    return {
      async run(deadline) {
        const rejected: Answer[] = [];
        for (let index = 0; index < OVERSIZED_REQUESTS; index += 1) rejected.push(await answerOf(create(oversized)));
        const unbroken = await runsAtLimit(client, thread.id, create(oversized.slice(0, AT_LIMIT)), deadline);
        const words = await runsAtLimit(client, thread.id, create(plainWords(AT_LIMIT)), deadline);
        return `1 MB: ${describeAnswers(rejected)}; 256,000 without spaces: ${unbroken}; as words: ${words}`;
      },
    };
  },
};

/** Creates AT_LIMIT_RUNS runs one after another, each awaited to its end; their statuses and how they ended. */
async function runsAtLimit(
  client: OpenAI,
  threadId: string,
  create: () => Promise<{ id: string }>,
  deadline: number,
): Promise<string> {
  const answers: Answer[] = [];
  const ends = new Map<string, number>();
  for (let index = 0; index < AT_LIMIT_RUNS; index += 1) {
    const started = performance.now();
    const answer = await answerOf(async () => {
      const created = await create();
      const run = await waitForRun(client, threadId, created.id, deadline);
      const error = run?.last_error ? ` (${run.last_error.code}: ${shorten(run.last_error.message, 90)})` : '';
      const end = `${run?.status ?? 'unfinished'}${error}`;
      ends.set(end, (ends.get(end) ?? 0) + 1);
    });
    answers.push({ ...answer, ms: performance.now() - started });
  }
  const runs = [...ends].map(([end, count]) => `${end}×${count}`).join(', ');
  return `${describeAnswers(answers)} to the run's end, runs ${runs}`;
}

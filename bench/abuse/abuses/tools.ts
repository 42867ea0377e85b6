import type { Abuse } from '../abuse.js';
import { type Answer, answerOf, describeAnswers } from '../api.js';

const TOOLS = 10_000;
/** Enough that the poller gets a few hundred samples while they arrive one after another. */
const REQUESTS = 100;

/** `POST /v1/assistants` with 10,000 function tools (the limit is 128): a 400, which should be fast. */
export const tools: Abuse = {
  name: 'tools',
  title: `assistant with ${TOOLS.toLocaleString('en-US')} tools ×${REQUESTS}`,
  memoryGoal: false,
  async prepare({ client }) {
    const body = {
      model: 'gpt-4o',
      tools: Array.from({ length: TOOLS }, (_, index) => ({
        type: 'function' as const,
        function: {
          name: `tool_${index}`,
          description: `Tool number ${index}.`,
          parameters: { type: 'object', properties: { value: { type: 'string' } } },
        },
      })),
    };
    return {
      async run() {
        const answers: Answer[] = [];
        for (let index = 0; index < REQUESTS; index += 1) {
          answers.push(await answerOf(() => client.beta.assistants.create(body)));
        }
        return `${describeAnswers(answers)}, body ${(JSON.stringify(body).length / 1e6).toFixed(2)} MB`;
      },
    };
  },
};

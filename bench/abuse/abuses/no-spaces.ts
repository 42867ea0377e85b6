import type { Abuse } from '../abuse.js';
import { createStore, ingestAll } from '../ingest.js';
import { unbrokenLetters } from '../inputs.js';

const LENGTH = 200_000;

/** A 200 KB text file without a space added to a vector store: one 200,000-character "word" to chunk. */
export const noSpaces: Abuse = {
  name: 'no-spaces',
  title: '200 KB file without spaces into a vector store',
  memoryGoal: false,
  async prepare({ client }) {
    const bytes = new TextEncoder().encode(unbrokenLetters(LENGTH, 88172645));
    const storeId = await createStore(client, 'abuse: no spaces');
    return {
      run: (deadline) => ingestAll(client, storeId, [{ filename: 'no-spaces.txt', bytes }], deadline),
    };
  },
};

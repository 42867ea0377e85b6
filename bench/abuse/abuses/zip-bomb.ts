import type { Abuse, AbuseContext, PreparedAbuse } from '../abuse.js';
import { buildDocxBomb } from '../docx-bomb.js';
import { createStore, ingestAll } from '../ingest.js';

/** `word/document.xml` inflates to 2.0 GB; the file is ~2 MB. */
const INFLATED_BYTES = 2_000_000_000;

async function prepareBombs(context: AbuseContext, count: number): Promise<PreparedAbuse> {
  const bytes = buildDocxBomb(INFLATED_BYTES);
  const storeId = await createStore(context.client, `abuse: ${count} zip bomb(s)`);
  const files = Array.from({ length: count }, (_, index) => ({ filename: `bomb-${index + 1}.docx`, bytes }));
  return {
    async run(deadline) {
      const size = `${(bytes.length / 1e6).toFixed(2)} MB → ${(INFLATED_BYTES / 1e9).toFixed(1)} GB`;
      return `${size}: ${await ingestAll(context.client, storeId, files, deadline)}`;
    },
  };
}

/** One ZIP bomb named `.docx`, uploaded and added to a vector store. */
export const zipBomb: Abuse = {
  name: 'zip-bomb',
  title: 'ZIP bomb .docx (2 MB → 2 GB) into a vector store',
  memoryGoal: true,
  prepare: (context) => prepareBombs(context, 1),
};

/** Four of them at once: one per ingestion process and more. */
export const zipBombs4: Abuse = {
  name: 'zip-bombs-4',
  title: 'four ZIP bombs at once',
  memoryGoal: true,
  prepare: (context) => prepareBombs(context, 4),
};

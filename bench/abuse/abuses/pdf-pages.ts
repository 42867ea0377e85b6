import { buildPdfPages } from '../../../test/fixtures/pdf-pages.js';
import type { Abuse, AbuseContext, PreparedAbuse } from '../abuse.js';
import { createStore, ingestAll } from '../ingest.js';

async function preparePdf({ client }: AbuseContext, pages: number): Promise<PreparedAbuse> {
  const bytes = buildPdfPages(Array.from({ length: pages }, (_, index) => `Page ${index + 1} of a long report.`));
  const storeId = await createStore(client, `abuse: ${pages} pdf pages`);
  return {
    async run(deadline) {
      const files = [{ filename: `pages-${pages}.pdf`, bytes }];
      return `${(bytes.length / 1e6).toFixed(1)} MB: ${await ingestAll(client, storeId, files, deadline)}`;
    },
  };
}

/** A 10,000-page PDF (one line per page, a few MB) added to a vector store. */
export const pdfPages: Abuse = {
  name: 'pdf-pages',
  title: '10,000-page PDF into a vector store',
  memoryGoal: false,
  prepare: (context) => preparePdf(context, 10_000),
};

/** 5,000 pages: the most the default page cap accepts, so every page is read. */
export const pdfPagesAtCap: Abuse = {
  name: 'pdf-pages-5000',
  title: '5,000-page PDF (the default cap) into a vector store',
  memoryGoal: false,
  prepare: (context) => preparePdf(context, 5_000),
};

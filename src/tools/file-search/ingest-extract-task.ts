import { ExtractionError, extractTextStream } from './extract.js';
import type { ExtractTask, ExtractTaskResult, TaskMessage } from './ingest-protocol.js';

/**
 * Runs in an ingestion process (ingest-process.ts): extracts a file's whole text under the task's limits
 * and sends it to the server in pieces of at most `task.pieceCharacters`. Small pieces (PDF pages, 64 KB
 * of plain text) are gathered, a DOCX's single huge piece is cut, so the server receives few messages and
 * none that takes long to decode. The pieces only make sense joined: one may end inside a surrogate pair.
 */
export async function extractTask(task: ExtractTask, send: (message: TaskMessage) => void): Promise<ExtractTaskResult> {
  try {
    send({ type: 'started' });
    const input = 'path' in task.source ? { path: task.source.path } : { bytes: task.source.bytes };
    const { format, pieces } = await extractTextStream(
      { ...input, filename: task.filename, mimeType: task.mimeType },
      task.limits,
    );
    let pending = '';
    for await (const piece of pieces) {
      pending += piece;
      while (pending.length >= task.pieceCharacters) {
        send({ type: 'text', text: pending.slice(0, task.pieceCharacters) });
        pending = pending.slice(task.pieceCharacters);
      }
    }
    if (pending.length > 0) send({ type: 'text', text: pending });
    return { ok: true, format };
  } catch (error) {
    if (error instanceof ExtractionError) return { ok: false, message: error.message, format: error.format };
    throw error;
  }
}

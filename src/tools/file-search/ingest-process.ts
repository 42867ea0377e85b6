import { extractTask } from './ingest-extract-task.js';
import type { BatchReply, ChildMessage, ParentMessage, PoolTask, TaskResult } from './ingest-protocol.js';
import { ingestTask } from './ingest-task.js';

/*
 * The entry point of an ingestion process (forked by ingestion-pool.ts). It runs one task at a time
 * for as long as the server keeps it, and exits with its parent: a process of its own, so a file that
 * exhausts its heap (a fatal V8 error, which no thread can survive) takes down only this process.
 */

const send = (message: ChildMessage): void => {
  process.send?.(message);
};
let replyListener: ((reply: BatchReply) => void) | undefined;

/** Only an `ingest` task hears replies: an `extract` task sends its text without waiting for answers. */
function run(task: PoolTask): Promise<TaskResult> {
  if (task.kind === 'extract') return extractTask(task, send);
  return ingestTask(task, { send, onReply: (listener) => (replyListener = listener) });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'reply') {
    replyListener?.(message.reply);
    return;
  }
  replyListener = undefined;
  run(message.task)
    .then((result) => send({ type: 'result', result }))
    .catch((error: unknown) =>
      send({ type: 'failure', message: error instanceof Error ? error.message : String(error) }),
    );
});

// The server went away (or let this process go): nothing is left to do.
process.on('disconnect', () => process.exit(0));

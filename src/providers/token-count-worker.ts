import { countWithEncoding } from './token-count.js';
import type { TokenCountTask } from './token-count-pool.js';

/** Runs in a worker thread of the token-count pool: each text's token count, in order. */
export function countTexts(task: TokenCountTask): number[] {
  return task.texts.map((text) => countWithEncoding(task.encoding, text));
}

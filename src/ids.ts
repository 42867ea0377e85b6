import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Prefixes OpenAI uses; `file-` and `upload_`/`part_` differ in their separator. */
export type IdPrefix =
  | 'asst_'
  | 'thread_'
  | 'msg_'
  | 'run_'
  | 'step_'
  | 'call_'
  | 'vs_'
  | 'vsfb_'
  | 'file-'
  | 'upload_'
  | 'part_'
  // Responses, Conversations and Containers.
  | 'resp_'
  | 'conv_'
  | 'fc_'
  | 'fco_'
  | 'fs_'
  | 'ci_'
  | 'rs_'
  | 'cntr_'
  | 'cfile_';

/**
 * Random bytes are drawn from the system a pool at a time: one `randomBytes` call per id was 4% of the server's
 * busy time under message creates. The pool is refilled, never reused.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** A new id: the prefix and 24 random base-62 characters (about 143 bits). */
export function newId(prefix: IdPrefix, length = 24): string {
  let out: string = prefix;
  const wanted = prefix.length + length;
  while (out.length < wanted) {
    const byte = randomByte();
    // Rejection sampling keeps the characters uniform: 248 = 4 * 62.
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** An id in OpenAI's shape (`call_` + 24 base62 characters) for upstreams that do not name their tool calls. */
export function generateToolCallId(): string {
  let suffix = '';
  for (let index = 0; index < 24; index += 1) suffix += BASE62[randomInt(BASE62.length)];
  return `call_${suffix}`;
}

import type { Metadata } from '../api/types.js';

/** Stored metadata is always an object; `null` in a request clears it. Limits are checked by the contract. */
export function resolveMetadata(
  input: Metadata | undefined,
  current: Record<string, string> = {},
): Record<string, string> {
  if (input === undefined) return current;
  return input === null ? {} : { ...input };
}

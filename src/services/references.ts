import { errors } from '../errors.js';
import type { Store } from '../store/store.js';

/** Fails with OpenAI's file 404 unless every id names a file of this project. */
export async function requireFiles(
  store: Store,
  project: string,
  ids: readonly string[],
  param: string,
): Promise<void> {
  if (ids.length === 0) return;
  const found = await store.files.existing(project, ids);
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw errors.fileNotFound(missing, param);
}

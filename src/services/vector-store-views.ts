import type { VectorStore, VectorStoreFileBatch } from '../api/types.js';
import { nowSeconds } from '../ids.js';
import type { StoredVectorStore, VectorStoreRepository } from '../store/vector-store-repository.js';

/**
 * Whether the store has expired: marked so by the ingestion worker's sweep, or past its `expires_at`
 * already (the sweep runs every few seconds; the API should not lag behind it).
 */
export function isExpired(stored: StoredVectorStore, now: number = nowSeconds()): boolean {
  return stored.expired || (typeof stored.expires_at === 'number' && stored.expires_at <= now);
}

/** The API object of a stored vector store, with its file counts, bytes and status computed now. */
export async function vectorStoreView(
  repository: VectorStoreRepository,
  stored: StoredVectorStore,
): Promise<VectorStore> {
  const { expired: _expired, ...rest } = stored;
  const { usageBytes, ...fileCounts } = await repository.counts(stored.id);
  return {
    ...rest,
    usage_bytes: usageBytes,
    file_counts: fileCounts,
    status: isExpired(stored) ? 'expired' : fileCounts.in_progress > 0 ? 'in_progress' : 'completed',
  };
}

/** A batch with counts over its own files; `cancelled` sticks, otherwise the files decide. */
export async function fileBatchView(
  repository: VectorStoreRepository,
  batch: VectorStoreFileBatch,
): Promise<VectorStoreFileBatch> {
  const { usageBytes: _bytes, ...fileCounts } = await repository.counts(batch.vector_store_id, batch.id);
  const status =
    batch.status === 'cancelled'
      ? 'cancelled'
      : fileCounts.in_progress > 0
        ? 'in_progress'
        : fileCounts.total > 0 && fileCounts.failed === fileCounts.total
          ? 'failed'
          : 'completed';
  return { ...batch, status, file_counts: fileCounts };
}

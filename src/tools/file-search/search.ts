import type { EmbeddingModel } from '../../providers/index.js';
import type { ChunkHit, FileSearchIndex } from '../../store/file-search-index.js';
import type { StoredVectorStoreFile, VectorStoreRepository } from '../../store/vector-store-repository.js';
import { matchesFilter, type AttributeFilter } from './attribute-filter.js';
import { reciprocalRankFusion, type RankedItem } from './fusion.js';

export interface FileSearchQuery {
  /** The project whose files the results name. */
  project: string;
  vectorStoreIds: readonly string[];
  /** One or more queries; their result lists are fused. */
  queries: readonly string[];
  maxNumResults: number;
  scoreThreshold?: number;
  filter?: AttributeFilter;
  signal?: AbortSignal;
}

export interface FileSearchResult {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  filename: string;
  attributes: Record<string, string | number | boolean>;
  score: number;
  text: string;
}

export interface FileSearchDependencies {
  index: FileSearchIndex;
  vectorStores: VectorStoreRepository;
  /** File names by id (the File objects'). */
  filenames(project: string, fileIds: readonly string[]): Promise<Map<string, string>>;
  embeddings: EmbeddingModel | undefined;
}

/**
 * Hybrid search over vector stores: for every query a BM25 list and (when an embedding model is
 * configured) a vector list, all fused by reciprocal rank. Attribute filters narrow the files first.
 * Only completed files are searched.
 */
export async function searchFiles(deps: FileSearchDependencies, query: FileSearchQuery): Promise<FileSearchResult[]> {
  const files = (await deps.vectorStores.allFiles(query.vectorStoreIds)).filter((file) => file.file.status === 'completed');
  const allowed = files.filter((file) => !query.filter || matchesFilter(file.file.attributes ?? {}, query.filter));
  if (allowed.length === 0 || query.queries.length === 0) return [];
  const fileIds = allowed.length === files.length ? undefined : new Set(allowed.map((file) => file.file.id));
  // Each list is cut wider than the final page so fusion has candidates to reorder.
  const search = { vectorStoreIds: query.vectorStoreIds, limit: Math.max(query.maxNumResults * 3, 30), ...(fileIds ? { fileIds } : {}) };

  const lists: ChunkHit[][] = [];
  for (const text of query.queries) lists.push(await deps.index.keywordSearch(text, search));
  if (deps.embeddings && deps.index.vectorDimensions !== undefined) {
    const vectors = await deps.embeddings.embed(query.queries, query.signal);
    for (const vector of vectors) lists.push(await deps.index.vectorSearch(vector, search));
  }
  const ranked = lists.map((list) => list.map((hit): RankedItem<ChunkHit> => ({ key: hit.chunkId, score: hit.score, item: hit })));
  const fused = reciprocalRankFusion(ranked, {
    maxNumResults: query.maxNumResults,
    ...(query.scoreThreshold === undefined ? {} : { scoreThreshold: query.scoreThreshold }),
  });
  const byId = new Map<string, StoredVectorStoreFile>(allowed.map((file) => [`${file.file.vector_store_id}/${file.file.id}`, file]));
  const names = await deps.filenames(query.project, [...new Set(fused.map((entry) => entry.item.fileId))]);
  return fused.map(({ item, score }) => ({
    chunkId: item.chunkId,
    vectorStoreId: item.vectorStoreId,
    fileId: item.fileId,
    filename: names.get(item.fileId) ?? item.fileId,
    attributes: (byId.get(`${item.vectorStoreId}/${item.fileId}`)?.file.attributes ?? {}) as FileSearchResult['attributes'],
    score,
    text: item.text,
  }));
}

import type { EmbeddingModel } from '../../providers/index.js';
import type { ChunkHit, FileSearchIndex } from '../../store/file-search-index.js';
import type { StoredVectorStoreFile, VectorStoreRepository } from '../../store/vector-store-repository.js';
import { defaultAnalyzer } from './analyzer.js';
import { type AttributeFilter, matchesFilter } from './attribute-filter.js';
import { type RankedItem, reciprocalRankFusion } from './fusion.js';

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
  /** File names by id (the File objects'; FileRepository.filenames). */
  filenames(project: string, fileIds: readonly string[]): Promise<Map<string, string>>;
  embeddings: EmbeddingModel | undefined;
}

/**
 * Hybrid search over vector stores: for every query a BM25 list and (when an embedding model is
 * configured) a vector list, all fused by reciprocal rank. Attribute filters narrow the files first.
 * Only completed files are searched.
 *
 * Without a filter the index is searched whole and the files the hits name are read afterwards
 * (reading every file row of a 5,000-file store cost more than the search itself). Chunks of a file
 * still being ingested can be in the index; if one ranks, the search runs again restricted to the
 * completed files, so such a file never crowds out a completed one.
 */
export async function searchFiles(deps: FileSearchDependencies, query: FileSearchQuery): Promise<FileSearchResult[]> {
  if (query.queries.length === 0) return [];
  let allowed = query.filter ? await completedFiles(deps, query) : undefined;
  if (allowed?.length === 0) return [];
  let fused = await rank(deps, query, allowed);
  let files = await filesOf(deps, query.vectorStoreIds, fused, allowed);
  if (!allowed && fused.some(({ item }) => files.get(fileKey(item))?.file.status !== 'completed')) {
    allowed = await completedFiles(deps, query);
    if (allowed.length === 0) return [];
    fused = await rank(deps, query, allowed);
    files = await filesOf(deps, query.vectorStoreIds, fused, allowed);
  }
  const names = await deps.filenames(query.project, [...new Set(fused.map((entry) => entry.item.fileId))]);
  return fused.map(({ item, score }) => ({
    chunkId: item.chunkId,
    vectorStoreId: item.vectorStoreId,
    fileId: item.fileId,
    filename: names.get(item.fileId) ?? item.fileId,
    attributes: (files.get(fileKey(item))?.file.attributes ?? {}) as FileSearchResult['attributes'],
    score,
    text: item.text,
  }));
}

/** The completed files of the stores that pass the query's filter. */
async function completedFiles(deps: FileSearchDependencies, query: FileSearchQuery): Promise<StoredVectorStoreFile[]> {
  return (await deps.vectorStores.allFiles(query.vectorStoreIds)).filter(
    (file) =>
      file.file.status === 'completed' && (!query.filter || matchesFilter(file.file.attributes ?? {}, query.filter)),
  );
}

/**
 * Every query's keyword list and vector list, fused; restricted to `allowed` files when given. Without
 * query vectors (the provider is unreachable or failed) the keyword lists alone answer: a search never
 * fails because of the embedding provider.
 */
async function rank(
  deps: FileSearchDependencies,
  query: FileSearchQuery,
  allowed: readonly StoredVectorStoreFile[] | undefined,
) {
  const listCount = query.queries.length * (vectorSearchOn(deps) ? 2 : 1);
  const fileIds = allowed ? new Set(allowed.map((file) => file.file.id)) : undefined;
  // With several lists, each is cut wider than the final page so fusion has candidates to reorder.
  const limit = listCount > 1 ? Math.max(query.maxNumResults * 3, 30) : query.maxNumResults;
  const search = { vectorStoreIds: query.vectorStoreIds, limit, ...(fileIds ? { fileIds } : {}) };

  // The keyword lists, the query embeddings and then the vector lists all run at once: a search takes
  // about as long as its slowest list, not their sum (on PostgreSQL each list is its own connection).
  // Terms are analyzed exactly like the indexed chunks (ingest-task.ts).
  const keywordLists = query.queries.map((text) => deps.index.keywordSearch(defaultAnalyzer.terms(text), search));
  const vectorLists = embedQueries(deps, query).then((embedded) =>
    Promise.all((embedded ?? []).map((vector) => deps.index.vectorSearch(vector, search))),
  );
  const [keywordHits, vectorHits] = await Promise.all([Promise.all(keywordLists), vectorLists]);
  const ranked = [...keywordHits, ...vectorHits].map((list) =>
    list.map((hit): RankedItem<ChunkHit> => ({ key: hit.chunkId, score: hit.score, item: hit })),
  );
  return reciprocalRankFusion(ranked, {
    maxNumResults: query.maxNumResults,
    ...(query.scoreThreshold === undefined ? {} : { scoreThreshold: query.scoreThreshold }),
  });
}

/** Whether searches have vector lists: an embedding model is configured and the index holds vectors. */
function vectorSearchOn(deps: FileSearchDependencies): deps is FileSearchDependencies & { embeddings: EmbeddingModel } {
  return deps.embeddings !== undefined && deps.index.vectorDimensions !== undefined;
}

/** The queries' vectors, or undefined when vector search is off or the provider cannot embed them now. */
async function embedQueries(deps: FileSearchDependencies, query: FileSearchQuery): Promise<number[][] | undefined> {
  if (!vectorSearchOn(deps)) return undefined;
  try {
    return await deps.embeddings.embed(query.queries, query.signal);
  } catch (error) {
    // A cancelled run stops here; any provider failure degrades to keyword search.
    if (query.signal?.aborted === true) throw error;
    return undefined;
  }
}

/** The rows of the files the results name, by `fileKey`. */
async function filesOf(
  deps: FileSearchDependencies,
  vectorStoreIds: readonly string[],
  fused: ReadonlyArray<{ item: ChunkHit }>,
  allowed: readonly StoredVectorStoreFile[] | undefined,
): Promise<Map<string, StoredVectorStoreFile>> {
  const rows =
    allowed ?? (await deps.vectorStores.filesIn(vectorStoreIds, [...new Set(fused.map(({ item }) => item.fileId))]));
  return new Map(rows.map((file) => [`${file.file.vector_store_id}/${file.file.id}`, file]));
}

function fileKey(hit: ChunkHit): string {
  return `${hit.vectorStoreId}/${hit.fileId}`;
}

import type { VectorStoreSearchRequest, VectorStoreSearchResultsPage } from '../api/types.js';
import { errors } from '../errors.js';
import { nowSeconds } from '../ids.js';
import type { Store } from '../store/store.js';
import type { AttributeFilter } from '../tools/file-search/attribute-filter.js';
import { rewriteQuery } from '../tools/file-search/rewrite-query.js';
import { type FileSearchDependencies, searchFiles } from '../tools/file-search/search.js';
import { isExpired } from './vector-store-views.js';
import type { VectorStoreService } from './vector-stores.js';

/** `POST /vector_stores/{id}/search`. */
export class VectorStoreSearchService {
  constructor(
    private readonly store: Store,
    private readonly vectorStores: VectorStoreService,
    private readonly dependencies: FileSearchDependencies,
  ) {}

  async search(
    project: string,
    vectorStoreId: string,
    request: VectorStoreSearchRequest,
  ): Promise<VectorStoreSearchResultsPage> {
    const stored = await this.vectorStores.stored(project, vectorStoreId);
    if (isExpired(stored)) {
      throw errors.searchVectorStoreExpired(vectorStoreId);
    }
    let queries = (Array.isArray(request.query) ? request.query : [request.query])
      .map((query) => query.trim())
      .filter((query) => query !== '');
    if (queries.length === 0) throw errors.emptySearchQuery();
    if (request.rewrite_query) queries = queries.map(rewriteQuery);
    const results = await searchFiles(this.dependencies, {
      project,
      vectorStoreIds: [vectorStoreId],
      queries,
      maxNumResults: request.max_num_results ?? 10,
      scoreThreshold: request.ranking_options?.score_threshold ?? 0,
      ...(request.filters ? { filter: request.filters as unknown as AttributeFilter } : {}),
    });
    await this.store.vectorStores.touch(vectorStoreId, nowSeconds());
    return {
      object: 'vector_store.search_results.page',
      search_query: queries,
      data: results.map((result) => ({
        file_id: result.fileId,
        filename: result.filename,
        score: result.score,
        attributes: result.attributes,
        content: [{ type: 'text', text: result.text }],
      })),
      has_more: false,
      next_page: null,
    };
  }
}

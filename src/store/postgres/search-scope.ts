import type { PgQueryable } from './pg-database.js';

/** What a search reads before it ranks: the stores' ids and sizes, the files' keys and the terms' frequencies. */
export interface SearchScope {
  /** `file_search_scopes.scope_id` of each searched vector store that has chunks. */
  scopeIds: number[];
  /** Chunks in the searched stores: BM25's N. */
  chunkCount: number;
  /** Their total length in terms: BM25's average length is this over `chunkCount`. */
  totalLength: number;
  /** `file_search_files.file_key` of the allowed files that have chunks; undefined when every chunk is allowed. */
  fileKeys: number[] | undefined;
  /** Chunks of the allowed files (`chunkCount` when every file is allowed). */
  allowedChunkCount: number;
  /** In how many of the searched chunks each asked term occurs (absent terms are missing). */
  documentFrequency: Map<string, number>;
  /** Rows of the asked vector table as last analyzed (0 when not asked or never analyzed). */
  tableRows: number;
}

interface ScopeRow {
  kind: 'scope' | 'term' | 'files' | 'table';
  term: string | null;
  id: number | null;
  count: number;
  length: number | null;
  keys: number[] | null;
}

/**
 * Reads a search's scope in one round trip. Statistics are those of the searched stores only (not of the whole
 * table, as FTS5's are): one tenant's documents never change another's ranking, and a single-store search —
 * the common case and the benchmarks' — ranks exactly as FTS5 does.
 */
export async function readSearchScope(
  db: PgQueryable,
  vectorStoreIds: readonly string[],
  fileIds: ReadonlySet<string> | undefined,
  terms: readonly string[],
  vectorTable?: string,
): Promise<SearchScope> {
  const rows = await db.all<ScopeRow>(
    `WITH scopes AS MATERIALIZED (
       SELECT scope_id, chunk_count, total_length FROM file_search_scopes WHERE vector_store_id = ANY($1::text[])
     )
     SELECT 'scope' AS kind, NULL::text AS term, scope_id AS id, chunk_count::float8 AS count,
            total_length::float8 AS length, NULL::int4[] AS keys
       FROM scopes
     UNION ALL
     SELECT 'term', t.term, NULL, sum(t.df)::float8, NULL, NULL
       FROM file_search_terms AS t
      WHERE t.scope_id IN (SELECT scope_id FROM scopes) AND t.term = ANY($2::text[])
      GROUP BY t.term
     UNION ALL
     -- One row for all the allowed files (thousands of rows cost more to read than the statement to run).
     SELECT 'files', NULL, NULL, coalesce(sum(f.chunk_count), 0)::float8, NULL, array_agg(f.file_key)
       FROM file_search_files AS f JOIN unnest($3::text[]) AS allowed (file_id) ON allowed.file_id = f.file_id
      WHERE $3::text[] IS NOT NULL AND f.scope_id IN (SELECT scope_id FROM scopes) AND f.chunk_count > 0
     UNION ALL
     SELECT 'table', NULL, NULL, greatest(reltuples, 0)::float8, NULL, NULL FROM pg_class WHERE oid = to_regclass($4)`,
    [vectorStoreIds, [...new Set(terms)], fileIds ? [...fileIds] : null, vectorTable ?? null],
  );
  const scope: SearchScope = {
    scopeIds: [],
    chunkCount: 0,
    totalLength: 0,
    fileKeys: fileIds ? [] : undefined,
    allowedChunkCount: 0,
    documentFrequency: new Map(),
    tableRows: 0,
  };
  let fileChunks = 0;
  for (const row of rows) {
    if (row.kind === 'scope') {
      scope.scopeIds.push(row.id!);
      scope.chunkCount += row.count;
      scope.totalLength += row.length ?? 0;
    } else if (row.kind === 'table') {
      scope.tableRows = row.count;
    } else if (row.kind === 'term') {
      if (row.count > 0) scope.documentFrequency.set(row.term!, row.count);
    } else if (row.kind === 'files') {
      scope.fileKeys = fileIds ? (row.keys ?? []) : undefined;
      fileChunks = row.count;
    }
  }
  scope.allowedChunkCount = fileIds ? fileChunks : scope.chunkCount;
  // Every chunk of the stores allowed (a filter every file passes): no filter to apply.
  if (fileIds && fileChunks === scope.chunkCount) scope.fileKeys = undefined;
  return scope;
}

import type { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { searchKeyword, type KeywordHit } from '../../src/tools/file-search/keyword-index.js';
import { searchWithFeedback } from '../../src/tools/file-search/prf.js';
import type { EvalSettings } from './eval-settings.js';

export interface BenchSearch {
  vectorStoreIds: string[];
  query: string;
  limit: number;
}

export function searchWithSettings(db: SqliteDatabase, search: BenchSearch, settings: EvalSettings): KeywordHit[] {
  const input = { ...search, analyzer: settings.analyzer, ranking: settings.ranking };
  return settings.prf ? searchWithFeedback(db, input, settings.prf) : searchKeyword(db, input);
}

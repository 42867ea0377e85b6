// Placeholder until the PostgreSQL search index (BM25 over term statistics, pgvector HNSW) lands; replaced whole.
import type {
  ChunkHit,
  ChunkSearch,
  ChunkVector,
  FileSearchIndex,
  IndexedChunk,
  MissingVector,
} from '../file-search-index.js';
import type { PgDatabase } from './pg-database.js';

export class PgFileSearchIndex implements FileSearchIndex {
  private constructor(
    private readonly db: PgDatabase,
    readonly vectorDimensions: number | undefined,
  ) {}
  static async open(db: PgDatabase, vectorDimensions: number | undefined): Promise<PgFileSearchIndex> {
    return new PgFileSearchIndex(db, vectorDimensions);
  }
  async addChunks(
    _v: string,
    _f: string,
    _c: readonly IndexedChunk[],
    _t: readonly string[],
    _e?: readonly number[][],
  ): Promise<void> {
    void this.db;
    throw new Error('todo');
  }
  async deleteFile(_v: string, _f: string): Promise<void> {}
  async keywordSearch(_t: readonly string[], _s: ChunkSearch): Promise<ChunkHit[]> {
    return [];
  }
  async vectorSearch(_e: readonly number[], _s: ChunkSearch): Promise<ChunkHit[]> {
    return [];
  }
  async chunksMissingVectors(_l: number): Promise<MissingVector[]> {
    return [];
  }
  async addVectors(_v: readonly ChunkVector[]): Promise<void> {}
  async deferVectors(_c: readonly number[]): Promise<void> {}
  async countMissingVectors(): Promise<number> {
    return 0;
  }
}

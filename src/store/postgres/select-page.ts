import { type Page, type PageRequest, UnknownCursorError } from '../../api/pagination.js';
import type { PgQueryable } from './pg-database.js';

/**
 * Which rows a list covers: a trusted table name and a WHERE clause over its columns whose parameters are
 * numbered from $1 (`params`).
 */
export interface ListScope {
  table: string;
  where: string;
  params: unknown[];
}

/** The columns a page selects and how a row of them becomes an item (default: the `data` JSON). */
export interface PageColumns<T> {
  columns: string;
  decode(row: Record<string, unknown>): T;
}

const DATA_ONLY: PageColumns<unknown> = { columns: 'data', decode: (row) => JSON.parse(row.data as string) };

/**
 * One cursor page of `data` documents in insertion order (`seq`), as the SQLite dialect's `selectPage`:
 * `after` and `before` are ids looked up within the same scope; `before` alone reads backwards from the
 * cursor and flips the rows so the page is still in the requested order.
 */
export async function selectPage<T>(
  db: PgQueryable,
  scope: ListScope,
  page: PageRequest,
  read: PageColumns<T> = DATA_ONLY as PageColumns<T>,
): Promise<Page<T>> {
  const conditions = [scope.where];
  const params = [...scope.params];
  const ascending = page.order === 'asc';
  if (page.after !== undefined) {
    params.push(await cursorSeq(db, scope, 'after', page.after));
    conditions.push(ascending ? `seq > $${params.length}` : `seq < $${params.length}`);
  }
  if (page.before !== undefined) {
    params.push(await cursorSeq(db, scope, 'before', page.before));
    conditions.push(ascending ? `seq < $${params.length}` : `seq > $${params.length}`);
  }
  const reversed = page.before !== undefined && page.after === undefined;
  const direction = ascending !== reversed ? 'ASC' : 'DESC';
  params.push(page.limit + 1);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${read.columns} FROM ${scope.table} WHERE ${conditions.join(' AND ')} ORDER BY seq ${direction} LIMIT $${params.length}`,
    params,
  );
  const hasMore = rows.length > page.limit;
  const kept = rows.slice(0, page.limit).map(read.decode);
  if (reversed) kept.reverse();
  return { data: kept, hasMore };
}

async function cursorSeq(db: PgQueryable, scope: ListScope, param: 'after' | 'before', id: string): Promise<number> {
  const row = await db.get<{ seq: number }>(
    `SELECT seq FROM ${scope.table} WHERE id = $${scope.params.length + 1} AND ${scope.where}`,
    [...scope.params, id],
  );
  if (!row) throw new UnknownCursorError(param, id);
  return row.seq;
}

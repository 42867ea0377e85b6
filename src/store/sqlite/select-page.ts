import { type Page, type PageRequest, UnknownCursorError } from '../../api/pagination.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Which rows a list covers: a trusted table name and a WHERE clause over its columns. */
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
 * One cursor page of `data` documents in insertion order (`seq`). `after` and `before` are ids
 * looked up within the same scope; `before` alone reads backwards from the cursor and flips the
 * rows so the page is still in the requested order.
 */
export function selectPage<T>(
  db: SqliteDatabase,
  scope: ListScope,
  page: PageRequest,
  read: PageColumns<T> = DATA_ONLY as PageColumns<T>,
): Page<T> {
  const conditions = [scope.where];
  const params = [...scope.params];
  const ascending = page.order === 'asc';
  if (page.after !== undefined) {
    conditions.push(ascending ? 'seq > ?' : 'seq < ?');
    params.push(cursorSeq(db, scope, 'after', page.after));
  }
  if (page.before !== undefined) {
    conditions.push(ascending ? 'seq < ?' : 'seq > ?');
    params.push(cursorSeq(db, scope, 'before', page.before));
  }
  // With only `before`, the rows nearest the cursor are the ones to return.
  const reversed = page.before !== undefined && page.after === undefined;
  const direction = ascending !== reversed ? 'ASC' : 'DESC';
  const rows = db.all<Record<string, unknown>>(
    `SELECT ${read.columns} FROM ${scope.table} WHERE ${conditions.join(' AND ')} ORDER BY seq ${direction} LIMIT ?`,
    ...params,
    page.limit + 1,
  );
  const hasMore = rows.length > page.limit;
  const kept = rows.slice(0, page.limit).map(read.decode);
  if (reversed) kept.reverse();
  return { data: kept, hasMore };
}

function cursorSeq(db: SqliteDatabase, scope: ListScope, param: 'after' | 'before', id: string): number {
  const row = db.get<{ seq: number }>(
    `SELECT seq FROM ${scope.table} WHERE id = ? AND ${scope.where}`,
    id,
    ...scope.params,
  );
  if (!row) throw new UnknownCursorError(param, id);
  return row.seq;
}

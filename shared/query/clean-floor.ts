/**
 * The clean floor (DuckDB): a page needs the id of each clean row it sorts, and the id of an
 * event sent without one is derived on read (SHA-256, ~1-2 us a row: a day of a 50-PC tenant is
 * 100,000 rows). So before the search, one query over the clean files, reading only `ts` and the
 * filter columns, finds the `ts` of the (limit+1)-th matching row in the page's order: no clean
 * row past it can be on the page, and the search's clean source gets `ts >= floor` (desc; `<=`
 * asc) as a constant the Parquet scan prunes row groups and rows with, so only the rows of the
 * page's time span have their ids derived (docs/search.md "The plan").
 *
 * Exact with keyset paging: the floor is taken among rows strictly before/after the position's
 * `ts` (ties at that `ts` are at or above the floor anyway), so a row the page needs is never cut.
 */
import { assertTenant } from '../domain/layout.js';
import type { SearchQuery } from './request.js';
import {
  Builder,
  type BuiltQuery,
  filterPredicates,
  type KeysetPosition,
  type SqlFragment,
  safeInt,
  scopePredicates,
} from './sql-parts.js';

export interface CleanFloorOptions {
  /** The clean Parquet (typed `ts`). */
  clean: SqlFragment;
  tenantId: string;
  query: SearchQuery;
  after?: KeysetPosition | null;
}

/** One row with `ts` (RFC 3339 UTC, ms) when at least limit+1 clean rows match; none otherwise. */
export function buildCleanFloorSql(options: CleanFloorOptions): BuiltQuery {
  const { clean, tenantId, query, after } = options;
  assertTenant(tenantId);
  const b = new Builder('duckdb');
  const desc = query.order !== 'asc';
  b.params.push(...clean.params);
  const where = [...scopePredicates(b, tenantId, query, 'typed', clean), ...filterPredicates(b, query)];
  if (after) where.push(`ts ${desc ? '<' : '>'} ${b.ts(after.ts)}`);
  const offset = safeInt(query.limit);
  // The (limit+1)-th row as the last of a top-(limit+1), not `LIMIT 1 OFFSET limit`: DuckDB
  // pushes a plain top-N's threshold into the Parquet scan (row groups past it are skipped), an
  // offset's it does not (a 27-day text search: 12 ms against 140 ms).
  const sql =
    `SELECT strftime(${desc ? 'min' : 'max'}(ts), '%Y-%m-%dT%H:%M:%S.%gZ') AS ts FROM ` +
    `(SELECT ts FROM ${clean.sql} WHERE ${where.join(' AND ')} ORDER BY ts ${desc ? 'DESC' : 'ASC'} LIMIT ${offset + 1}) ` +
    `HAVING count(*) > ${offset}`;
  return { sql, params: b.params };
}

/** The clean source with the floor applied (the predicate a page's clean rows all meet). */
export function withCleanFloor(clean: SqlFragment, floor: string, order: 'asc' | 'desc'): SqlFragment {
  return {
    sql: `(SELECT * FROM ${clean.sql} WHERE ts ${order === 'asc' ? '<=' : '>='} CAST(? AS TIMESTAMP))`,
    params: [...clean.params, floor],
  };
}

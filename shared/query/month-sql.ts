/**
 * The compacted months in the Athena plan (shared/query/sql.ts; files from shared/compaction):
 * table `events_month` (partitions tenant_id, injected, and month, `yyyy-MM`; `dt` a data
 * column). Per day, rows are in the day table or the month table, and twice only while
 *   - a day folder sits beside the month's file (a compaction before it deleted the folder, or a
 *     day re-opened by a late arrival and converted again), or
 *   - two runs' month files hold the day (a compaction before it deleted the previous file).
 * Those days join `raw_days` (the contested days): their month rows go through the dedup, the
 * month's other days are read as clean rows, filters and columns pushed into the scan.
 */
import { dayRange, type QueryScope } from './request.js';
import { type Builder, normalisedColumns, type SqlFragment, scopePredicates } from './sql-parts.js';

const RUN_OF_PATH = `regexp_replace("$path", '-[0-9]+\\.parquet$', '')`;

/**
 * `month_days` (each day the month files hold, and how many runs' files hold it) and, bound when
 * called (after the other day queries of `raw_days`), the contested-day queries derived from it.
 */
export function monthDays(
  b: Builder,
  month: SqlFragment,
  days: SqlFragment | null,
  tenantId: string,
  range: { first: string; last: string },
): { cte: string; contestedDays: () => string[] } {
  b.params.push(...month.params);
  const cte =
    `month_days AS (SELECT dt, count(DISTINCT ${RUN_OF_PATH}) AS runs FROM ${month.sql} ` +
    `WHERE tenant_id = ${b.tenant(tenantId)} AND month BETWEEN ${b.bind(range.first.slice(0, 7))} ` +
    `AND ${b.bind(range.last.slice(0, 7))} AND dt BETWEEN ${b.bind(range.first)} AND ${b.bind(range.last)} GROUP BY dt)`;
  const contestedDays = () => {
    const out = ['SELECT dt FROM month_days WHERE runs > 1'];
    if (days) {
      b.params.push(...days.params);
      out.push(
        `SELECT DISTINCT dt FROM ${days.sql} WHERE tenant_id = ${b.tenant(tenantId)} ` +
          `AND dt BETWEEN ${b.bind(range.first)} AND ${b.bind(range.last)} AND dt IN (SELECT dt FROM month_days)`,
      );
    }
    return out;
  };
  return { cte, contestedDays };
}

/** The WHERE of a month's rows of the contested days (`contested`) or of the other days (`clean`). */
export function monthWhere(
  b: Builder,
  month: SqlFragment,
  tenantId: string,
  scope: QueryScope,
  part: 'contested' | 'clean',
): string {
  b.params.push(...month.params);
  const where = scopePredicates(b, tenantId, scope, 'typed', month);
  const days = dayRange(scope);
  where.push(
    `month BETWEEN ${b.bind(days.first.slice(0, 7))} AND ${b.bind(days.last.slice(0, 7))}`,
    `dt ${part === 'contested' ? 'IN' : 'NOT IN'} (SELECT dt FROM raw_days)`,
  );
  return where.join(' AND ');
}

/** The month rows of contested days for the dedup: the query's and the dedup's columns. */
export function monthSelect(
  b: Builder,
  month: SqlFragment,
  tenantId: string,
  scope: QueryScope,
  read: ReadonlySet<string>,
): string {
  const columns = normalisedColumns(b, 'typed', read);
  const where = [monthWhere(b, month, tenantId, scope, 'contested')];
  // device_id is a dedup partition key: filtering before the dedup changes no winner.
  if (scope.filters.deviceId !== undefined) where.push(`device_id = ${b.bind(scope.filters.deviceId)}`);
  return `SELECT ${columns} FROM ${month.sql} WHERE ${where.join(' AND ')}`;
}

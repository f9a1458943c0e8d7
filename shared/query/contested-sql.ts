/**
 * The contested side of the plan (shared/query/sql.ts, docs/search.md "The plan"): the contested
 * sources' rows, the split of the Parquet beside raw/ by the raw rows' keys and its page floor,
 * and the dedup that ranks the copies of each event.
 */
import type { QueryScope } from './request.js';
import { filterColumns } from './sql-columns.js';
import {
  type Builder,
  filterPredicates,
  type KeysetPosition,
  type Kind,
  normalisedColumns,
  type SqlFragment,
  safeInt,
  scopePredicates,
} from './sql-parts.js';

/** The raw rows' keys (`raw_rows`, materialised): what a copy beside raw/ shares with its raw copy. */
export const RAW_KEYS = '(SELECT device_id, ts FROM raw_rows WHERE device_id IS NOT NULL AND ts IS NOT NULL)';

/** A DuckDB search page: its order, size and position. */
export interface PagePlan {
  order: 'asc' | 'desc';
  limit: number;
  after: KeysetPosition | null;
}

/**
 * One contested source: the query's and the dedup's columns; only what every copy of an event
 * shares is filtered here (tenant, time range, deviceId: the key and `ts`).
 */
export function contestedSelect(
  b: Builder,
  source: SqlFragment,
  kind: Kind,
  tenantId: string,
  scope: QueryScope,
  guard: string | null,
  read: ReadonlySet<string>,
): string {
  const columns = normalisedColumns(b, kind, read);
  b.params.push(...source.params);
  const where = scopePredicates(b, tenantId, scope, kind, source);
  if (guard) where.push(guard);
  // device_id is a dedup partition key: filtering before the dedup changes no winner.
  if (scope.filters.deviceId !== undefined) where.push(`device_id = ${b.bind(scope.filters.deviceId)}`);
  return `SELECT ${columns} FROM ${source.sql} WHERE ${where.join(' AND ')}`;
}

/**
 * The floor of the rows beside raw/ that are their event's only copy, as the clean floor
 * (clean-floor.ts) but inside the query (it needs the raw rows' keys): the `ts` of the
 * (limit+1)-th such match past the position, in the page's order; none past it can be on the page,
 * so only the page's span has ids derived (a 50-PC day: 100,000 SHA-256 otherwise). Fewer matches:
 * no floor (an infinite bound, never NULL, which would drop every row).
 */
export function besideFloor(
  b: Builder,
  beside: SqlFragment,
  tenantId: string,
  scope: QueryScope,
  page: PagePlan,
  raw: boolean,
): string {
  const desc = page.order === 'desc';
  b.params.push(...beside.params);
  const where = scopePredicates(b, tenantId, scope, 'typed', beside);
  if (raw) where.push(`coalesce((device_id, ts) NOT IN ${RAW_KEYS}, true)`);
  where.push(...filterPredicates(b, scope));
  if (page.after) where.push(`ts ${desc ? '<' : '>'} ${b.ts(page.after.ts)}`);
  const floor =
    `(SELECT ${desc ? 'min' : 'max'}(ts) FROM (SELECT ts FROM ${beside.sql} WHERE ${where.join(' AND ')} ` +
    `ORDER BY ts ${desc ? 'DESC' : 'ASC'} LIMIT ${safeInt(page.limit + 1)}) HAVING count(*) > ${safeInt(page.limit)})`;
  return `ts ${desc ? '>=' : '<='} coalesce(${floor}, CAST('${desc ? '-' : ''}infinity' AS TIMESTAMP))`;
}

/**
 * The dedup of the contested rows: `ranked` numbers the copies of each event (earliest
 * `received_at`, then smallest `batch_id`, first); the filters then judge the winner (rn = 1).
 * Key-level predicates (`keyed`) go before it. On DuckDB, when a filter judges a column the
 * copies may disagree on (user, title, ...), only the events with at least one matching copy are
 * ranked, every copy of them: the winner is the same, and the window sorts a fraction of the
 * rows (the rows are read once: `contested` is materialised). Athena would read the raw objects
 * twice for it (Trino inlines a CTE at each use, and bills each scan), so it ranks them all.
 */
export function dedup(
  b: Builder,
  contested: string[],
  scope: QueryScope,
  keyed: (b: Builder) => string[],
): string[] {
  const hits = b.dialect === 'duckdb' && filterColumns(scope).some((c) => c !== 'device_id');
  const where = keyed(b);
  if (hits) {
    const match = filterPredicates(b, scope).join(' AND ');
    where.push(`(device_id, event_id) IN (SELECT device_id, event_id FROM contested WHERE ${match})`);
  }
  return [
    `contested AS ${hits ? 'MATERIALIZED ' : ''}(${contested.join(' UNION ALL ')})`,
    'ranked AS (SELECT *, row_number() OVER (PARTITION BY device_id, event_id ' +
      `ORDER BY received_at ASC, batch_id ASC) AS rn FROM contested${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''})`,
  ];
}

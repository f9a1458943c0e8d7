/**
 * The one SQL builder of search and aggregate, for both engines (Athena/Trino and DuckDB).
 * The dialects differ only in where rows come from (Glue tables vs. the files of the selected
 * partitions) and in paging (Athena pages one execution's results; DuckDB pages by keyset), so
 * the filter, dedup and ordering text is shared and tested once.
 *
 * Every value reaches the engine as a positional `?` parameter, never inside the SQL text; the
 * only literals are the LIMIT (a validated integer) and fixed identifiers. LIKE patterns are built
 * here with `!` as the escape character, so `%`, `_` and `!` in a filter match literally.
 *
 * Shape (search):
 *   WITH src AS (parquet rows UNION ALL raw rows, tenant and days pinned, ts in range),
 *        ranked AS (row_number() per (device_id, event_id), earliest received_at then batch_id),
 *   SELECT ... FROM ranked WHERE rn = 1 AND <filters> [AND <keyset>] ORDER BY ts, event_id, device_id
 * Filters apply after the dedup, so when copies of an event disagree the winning copy is judged.
 */
import { DATA_COLUMNS } from '../domain/event.js';
import {
  type AggregateQuery,
  dayRange,
  type Filters,
  type GroupBy,
  type QueryScope,
  type SearchQuery,
  TIME_GROUP_BYS,
} from './request.js';

export type Dialect = 'athena' | 'duckdb';
/** A parameter value: strings for both engines; string lists only as DuckDB file lists. */
export type SqlParam = string | readonly string[];

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
}

/** Where each stored area's rows come from; null when an area has nothing in range (DuckDB). */
export interface Sources {
  parquet: SqlFragment | null;
  raw: SqlFragment | null;
}

export interface BuiltQuery {
  sql: string;
  params: SqlParam[];
}

export interface KeysetPosition {
  ts: string;
  eventId: string;
  deviceId: string;
}

/** Columns read from both areas, in this order (the stored columns minus the partition columns). */
export const SELECT_COLUMNS = DATA_COLUMNS;

/** Columns a search answers with (the dedup columns stay inside). */
export const OUTPUT_COLUMNS = SELECT_COLUMNS.filter((c) => c !== 'batch_id' && c !== 'received_at');

const quote = (column: string): string => (column === 'user' ? '"user"' : column);
const columnList = (columns: readonly string[]): string => columns.map(quote).join(', ');

/** Output columns that hold free text (everything but `type`, `ts` and `duration_ms`). */
const TEXT_OUTPUT = new Set([
  'event_id',
  'device_id',
  'user',
  'host',
  'app',
  'title',
  'url',
  'domain',
  'path',
  'op',
  'attrs',
]);

/**
 * The answer's columns. DuckDB hands text as bytes (`encode`): its Node client decodes VARCHAR
 * with a TextDecoder that drops a leading U+FEFF, so the engine decodes the bytes itself and
 * every value comes back byte for byte.
 */
function outputList(dialect: Dialect, columns: readonly string[]): string {
  if (dialect === 'athena') return columnList(columns);
  return columns
    .map((c) => (TEXT_OUTPUT.has(c) ? `encode(${quote(c)}) AS ${quote(c)}` : quote(c)))
    .join(', ');
}

/** Athena tables of a Glue database: partition projection on tenant_id (injected) and dt (date). */
export function athenaSources(database: string): Sources {
  if (!/^[a-z0-9_]{1,255}$/.test(database)) throw new RangeError(`not a Glue database name: ${database}`);
  return {
    parquet: { sql: `"${database}"."events"`, params: [] },
    raw: { sql: `"${database}"."raw_events"`, params: [] },
  };
}

/** Escapes a value for `LIKE ? ESCAPE '!'`. */
export function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

class Builder {
  readonly params: SqlParam[] = [];
  bind(value: SqlParam): '?' {
    this.params.push(value);
    return '?';
  }
}

function sourceSelect(b: Builder, source: SqlFragment, tenantId: string, scope: QueryScope): string {
  const days = dayRange(scope);
  b.params.push(...source.params);
  const where = [
    `tenant_id = ${b.bind(tenantId)}`,
    `dt BETWEEN ${b.bind(days.first)} AND ${b.bind(days.last)}`,
    `ts >= ${b.bind(scope.from)}`,
    `ts < ${b.bind(scope.to)}`,
  ];
  // device_id is a dedup partition key: filtering before the dedup changes no winner.
  if (scope.filters.deviceId !== undefined) where.push(`device_id = ${b.bind(scope.filters.deviceId)}`);
  return `SELECT ${columnList(SELECT_COLUMNS)} FROM ${source.sql} WHERE ${where.join(' AND ')}`;
}

function dedupCtes(b: Builder, sources: Sources, tenantId: string, scope: QueryScope): string {
  const parts: string[] = [];
  if (sources.parquet) parts.push(sourceSelect(b, sources.parquet, tenantId, scope));
  if (sources.raw) parts.push(sourceSelect(b, sources.raw, tenantId, scope));
  if (parts.length === 0) throw new RangeError('a query needs at least one source');
  return (
    `WITH src AS (${parts.join(' UNION ALL ')}), ` +
    `ranked AS (SELECT ${columnList(SELECT_COLUMNS)}, row_number() OVER ` +
    '(PARTITION BY device_id, event_id ORDER BY received_at ASC, batch_id ASC) AS rn FROM src)'
  );
}

function filterPredicates(b: Builder, scope: QueryScope): string[] {
  const where = ['rn = 1'];
  const f: Filters = scope.filters;
  if (scope.types) where.push(`type IN (${scope.types.map((t) => b.bind(t)).join(', ')})`);
  if (f.user !== undefined) where.push(`"user" = ${b.bind(f.user)}`);
  if (f.host !== undefined) where.push(`host = ${b.bind(f.host)}`);
  if (f.app !== undefined) where.push(`lower(app) = ${b.bind(f.app.toLowerCase())}`);
  if (f.domain !== undefined) {
    where.push(
      `(domain = ${b.bind(f.domain)} OR domain LIKE ${b.bind(`%.${escapeLike(f.domain)}`)} ESCAPE '!')`,
    );
  }
  if (f.text !== undefined) {
    const pattern = `%${escapeLike(f.text.toLowerCase())}%`;
    const any = ['title', 'url', 'path', 'app'].map((c) => `lower(${c}) LIKE ${b.bind(pattern)} ESCAPE '!'`);
    where.push(`(${any.join(' OR ')})`);
  }
  return where;
}

function keysetPredicate(b: Builder, after: KeysetPosition, order: 'asc' | 'desc'): string {
  const op = order === 'asc' ? '>' : '<';
  return (
    `(ts ${op} ${b.bind(after.ts)} OR (ts = ${b.bind(after.ts)} AND (event_id ${op} ${b.bind(after.eventId)}` +
    ` OR (event_id = ${b.bind(after.eventId)} AND device_id ${op} ${b.bind(after.deviceId)}))))`
  );
}

export interface SearchSqlOptions {
  dialect: Dialect;
  sources: Sources;
  tenantId: string;
  query: SearchQuery;
  /** Keyset paging (DuckDB): rows strictly after this position in the query's order. */
  after?: KeysetPosition | null;
}

/**
 * Search SQL. DuckDB: `LIMIT limit + 1` (the extra row tells whether there is a next page).
 * Athena: no LIMIT; the execution holds every match and pages are read with NextToken.
 */
export function buildSearchSql(options: SearchSqlOptions): BuiltQuery {
  const { dialect, sources, tenantId, query } = options;
  const b = new Builder();
  const ctes = dedupCtes(b, sources, tenantId, query);
  const where = filterPredicates(b, query);
  if (options.after) where.push(keysetPredicate(b, options.after, query.order));
  const dir = query.order === 'asc' ? 'ASC' : 'DESC';
  let sql =
    `${ctes} SELECT ${outputList(dialect, OUTPUT_COLUMNS)} FROM ranked WHERE ${where.join(' AND ')} ` +
    `ORDER BY ts ${dir}, event_id ${dir}, device_id ${dir}`;
  if (dialect === 'duckdb') sql += ` LIMIT ${safeInt(query.limit + 1)}`;
  return { sql, params: b.params };
}

const GROUP_KEY: Record<GroupBy, string> = {
  app: 'app',
  domain: 'domain',
  user: '"user"',
  host: 'host',
  deviceId: 'device_id',
  type: 'type',
  day: 'substr(ts, 1, 10)',
  hour: "substr(ts, 1, 13) || ':00:00.000Z'",
};

export interface AggregateSqlOptions {
  dialect: Dialect;
  sources: Sources;
  tenantId: string;
  query: AggregateQuery;
}

/**
 * Aggregate SQL: one row per key with `event_count` and `duration_ms_total` (0 when no event
 * of the group has a duration); ordered by the metric descending, then key (nulls last), top
 * `limit`; or, for the time buckets (day, hour), every bucket with events, ascending.
 */
export function buildAggregateSql(options: AggregateSqlOptions): BuiltQuery {
  const { dialect, sources, tenantId, query } = options;
  const b = new Builder();
  const ctes = dedupCtes(b, sources, tenantId, query);
  const where = filterPredicates(b, query);
  const byTime = TIME_GROUP_BYS.includes(query.groupBy);
  const order = byTime
    ? 'group_key ASC'
    : `${query.metric === 'count' ? 'event_count' : 'duration_ms_total'} DESC, group_key ASC NULLS LAST`;
  const sql =
    `${ctes}, matched AS (SELECT ${GROUP_KEY[query.groupBy]} AS group_key, duration_ms FROM ranked ` +
    `WHERE ${where.join(' AND ')}) ` +
    `SELECT ${dialect === 'duckdb' ? 'encode(group_key) AS group_key' : 'group_key'}, count(*) AS event_count, ` +
    'coalesce(sum(duration_ms), 0) AS duration_ms_total ' +
    `FROM matched GROUP BY group_key ORDER BY ${order}${byTime ? '' : ` LIMIT ${safeInt(query.limit)}`}`;
  return { sql, params: b.params };
}

function safeInt(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`not a positive integer: ${value}`);
  return value;
}

/**
 * The one SQL builder of search and aggregate, for both engines (Athena/Trino and DuckDB).
 * The dialects differ only in where rows come from (Glue tables vs. the files of the selected
 * partitions), in timestamp functions and in paging (Athena pages one execution's results; DuckDB
 * pages by keyset), so the plan, filter and ordering text is shared and tested once.
 *
 * Every value reaches the engine as a positional `?` parameter, never inside the SQL text; the
 * only literals are the LIMIT (a validated integer), fixed identifiers and the tenant id
 * (`Builder.tenant`: checked against the contract's pattern, then quoted), which Athena's result
 * reuse needs in the text so that two tenants never share a query string. LIKE patterns are built
 * here with `!` as the escape character, so `%`, `_` and `!` in a filter match literally.
 *
 * The plan (docs/search.md "The plan"): copies of an event exist only inside raw/ and between
 * raw/ and the Parquet of the same tenant-day (a conversion publishes new files before it deletes
 * the old ones and archives raw/ last, so a day with no raw object has unique Parquet rows). So:
 *   contested = raw rows ∪ Parquet rows of days that have raw objects (and Parquet in the
 *               previous, text-timestamp layout): deduplicated (earliest received_at, then
 *               batch_id), then filtered, so when copies disagree the winning copy is judged;
 *   clean     = Parquet rows of the other days: filters, needed columns and (DuckDB) the top-N
 *               go straight into the Parquet scan; no dedup.
 *   answer    = clean ∪ winners, ordered by (ts, event_id, device_id), newest first by default.
 * In the query `ts` and `received_at` are timestamps (ms); raw/ holds them as RFC 3339 UTC text.
 */
import { assertTenant } from '../domain/layout.js';
import { besideFloor, contestedSelect, dedup, type PagePlan, RAW_KEYS } from './contested-sql.js';
import { monthDays, monthSelect, monthWhere } from './month-sql.js';
import {
  type AggregateQuery,
  dayRange,
  type GroupBy,
  type QueryScope,
  type SearchQuery,
  TIME_GROUP_BYS,
} from './request.js';
import { contestedColumns, formatTs, OUTPUT_COLUMNS, quote, TEXT_OUTPUT } from './sql-columns.js';
import {
  Builder,
  type BuiltQuery,
  type Dialect,
  filterPredicates,
  type KeysetPosition,
  type Kind,
  keysetPredicate,
  normalisedColumns,
  type SqlFragment,
  safeInt,
  scopePredicates,
} from './sql-parts.js';

/**
 * Where each kind of row comes from; null when there is none in range (DuckDB, which splits
 * the files itself). Athena names one table per area and splits Parquet by day in SQL
 * (`splitByRawDays`).
 */
export interface Sources {
  /** raw/ (JSON lines): `ts`, `received_at` as text. */
  raw: SqlFragment | null;
  /** Parquet that may hold copies (days with raw objects, or a promotion under way): typed. */
  contested: SqlFragment | null;
  /**
   * DuckDB: Parquet of days whose copies can only be in raw/ beside it (one run's files, no
   * previous layout, no month file): its rows are unique, so only the rows that share
   * `(device_id, ts)` with a raw row can have a copy (copies share `ts`). Those go through the
   * dedup; the others are answered like clean rows (no ids derived to rank them).
   */
  besideRaw?: SqlFragment | null;
  /** Parquet in the previous layout (`ts`, `received_at` as text): read like raw/. */
  legacy: SqlFragment | null;
  /** Parquet with unique rows: typed; filtered directly. */
  clean: SqlFragment | null;
  /** Athena: contested and clean are the same table, split by `dt IN (days of raw/)`. */
  splitByRawDays?: boolean;
  /** Athena: compacted months (`events_month`, `dt` a column), read per day (month-sql.ts). */
  month?: SqlFragment | null;
}

export {
  contestedColumns,
  neededColumns,
  OUTPUT_COLUMNS,
  parquetEventId,
  SELECT_COLUMNS,
} from './sql-columns.js';
export {
  Builder,
  type BuiltQuery,
  type Dialect,
  escapeLike,
  filterPredicates,
  type KeysetPosition,
  type Kind,
  normalisedColumns,
  type SqlFragment,
  type SqlParam,
  scopePredicates,
} from './sql-parts.js';

/** Athena tables of a Glue database: partition projection on tenant_id (injected) and dt (date). */
export function athenaSources(
  database: string,
  tables: { raw: string; events: string; legacy: string | null; month?: string | null } = {
    raw: 'raw_events',
    events: 'events_v2',
    legacy: 'events',
    month: 'events_month',
  },
): Sources {
  if (!/^[a-z0-9_]{1,255}$/.test(database)) throw new RangeError(`not a Glue database name: ${database}`);
  for (const table of [tables.raw, tables.events, tables.legacy ?? 'none', tables.month ?? 'none']) {
    if (!/^[a-z0-9_]{1,255}$/.test(table)) throw new RangeError(`not a Glue table name: ${table}`);
  }
  const events = { sql: `"${database}"."${tables.events}"`, params: [] };
  return {
    raw: { sql: `"${database}"."${tables.raw}"`, params: [] },
    contested: events,
    // The previous layout (parquet/, text ts) has its own table: read as contested until the
    // nightly run has rewritten every such day (then configured off: OPLAKE_LEGACY_EVENTS_TABLE="").
    legacy: tables.legacy ? { sql: `"${database}"."${tables.legacy}"`, params: [] } : null,
    clean: events,
    splitByRawDays: true,
    month: tables.month ? { sql: `"${database}"."${tables.month}"`, params: [] } : null,
  };
}

const RAW_DAYS = '(SELECT dt FROM raw_days)';

/** A plan's answer columns, what contested rows read, the key-level predicates and the tail. */
interface Plan {
  columns: string;
  read: ReadonlySet<string>;
  keyed: (b: Builder) => string[];
  tail: string;
  /** DuckDB search: the page's order, size and position (the floor of the rows beside raw/). */
  page?: PagePlan;
}

interface Branches {
  /** CTEs (`WITH ...`), empty when there is no contested data. */
  ctes: string;
  /** SELECTs of matching rows with `columns`, to be UNION ALL-ed. */
  selects: string[];
}

/**
 * The two branches of the plan, each answering the matching rows with `columns` (expressions
 * over the normalised columns) and, when `tail` is given, each ending in it (ORDER BY + LIMIT:
 * DuckDB's top-N then reaches the Parquet scan). `keyed`: predicates on what every copy of an
 * event shares (`ts`, `event_id`, `device_id`: the keyset), applied before the dedup.
 */
function branches(b: Builder, sources: Sources, tenantId: string, scope: QueryScope, plan: Plan): Branches {
  assertTenant(tenantId);
  const split = sources.splitByRawDays === true && sources.raw !== null;
  const ctes: string[] = [];
  if (split && sources.raw) {
    const days = dayRange(scope);
    // Days where copies can exist: raw objects, or files of the previous layout (a day being
    // rewritten holds both layouts for a moment); their new-layout rows go through the dedup.
    const daysOf = (source: SqlFragment): string => {
      b.params.push(...source.params);
      return (
        `SELECT DISTINCT dt FROM ${source.sql} WHERE tenant_id = ${b.tenant(tenantId)} ` +
        `AND dt BETWEEN ${b.bind(days.first)} AND ${b.bind(days.last)}`
      );
    };
    const month = sources.month ? monthDays(b, sources.month, sources.contested, tenantId, days) : null;
    if (month) ctes.push(month.cte);
    const dayQueries = [daysOf(sources.raw)];
    if (sources.legacy) dayQueries.push(daysOf(sources.legacy));
    if (month) dayQueries.push(...month.contestedDays());
    ctes.push(`raw_days AS (${dayQueries.join(' UNION ')})`);
  }
  const contested: string[] = [];
  const select = (source: SqlFragment, kind: Kind, guard: string | null) =>
    contestedSelect(b, source, kind, tenantId, scope, guard, plan.read);
  const beside = sources.besideRaw ?? null;
  if (sources.raw && beside) {
    // The raw rows are read once: the dedup and the split of the Parquet beside them use them.
    ctes.push(`raw_rows AS MATERIALIZED (${select(sources.raw, 'text', null)})`);
    contested.push('SELECT * FROM raw_rows');
    contested.push(select(beside, 'typed', `(device_id, ts) IN ${RAW_KEYS}`));
  } else if (sources.raw) contested.push(select(sources.raw, 'text', null));
  // (Athena without a raw table would have nothing contested: clean then covers every day.)
  if (sources.contested && (split || !sources.splitByRawDays)) {
    contested.push(select(sources.contested, 'typed', split ? `dt IN ${RAW_DAYS}` : null));
  }
  if (sources.legacy) contested.push(select(sources.legacy, 'text', null));
  if (split && sources.month) contested.push(monthSelect(b, sources.month, tenantId, scope, plan.read));
  const selects: string[] = [];
  if (contested.length > 0) {
    ctes.push(...dedup(b, contested, scope, plan.keyed));
    const where = ['rn = 1', ...filterPredicates(b, scope)];
    selects.push(`SELECT ${plan.columns} FROM ranked WHERE ${where.join(' AND ')}${plan.tail}`);
  }
  if (sources.clean) {
    b.params.push(...sources.clean.params);
    const where = scopePredicates(b, tenantId, scope, 'typed', sources.clean);
    if (split) where.push(`dt NOT IN ${RAW_DAYS}`);
    selects.push(cleanSelect(b, sources.clean.sql, where, scope, plan));
  }
  if (split && sources.month) {
    // The month's clean days, read like the clean day files (derived ids whole before paging).
    const where = [monthWhere(b, sources.month, tenantId, scope, 'clean')];
    selects.push(cleanSelect(b, sources.month.sql, where, scope, plan));
  }
  if (beside) {
    // The rows beside raw/ with no raw row at their (device_id, ts): their only copy (a NULL key
    // cannot meet a raw row: it lands here, never in both branches or neither).
    b.params.push(...beside.params);
    const where = scopePredicates(b, tenantId, scope, 'typed', beside);
    if (sources.raw) where.push(`coalesce((device_id, ts) NOT IN ${RAW_KEYS}, true)`);
    if (plan.page) where.push(besideFloor(b, beside, tenantId, scope, plan.page, sources.raw !== null));
    selects.push(cleanSelect(b, beside.sql, where, scope, plan));
  }
  if (selects.length === 0) throw new RangeError('a query needs at least one source');
  return { ctes: ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : '', selects };
}

/**
 * A clean source's matching rows: the filters go into the scan (`where`: its scope predicates,
 * already bound); the paging predicate and order see the whole event id (`clean_rows`).
 */
function cleanSelect(b: Builder, from: string, where: string[], scope: QueryScope, plan: Plan): string {
  const all = normalisedColumns(b, 'typed', plan.read);
  const rows = `(SELECT ${all} FROM ${from} WHERE ${[...where, ...filterPredicates(b, scope)].join(' AND ')}) AS clean_rows`;
  const keyed = plan.keyed(b);
  const after = keyed.length > 0 ? ` WHERE ${keyed.join(' AND ')}` : '';
  return `SELECT ${plan.columns} FROM ${rows}${after}${plan.tail}`;
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
 * Search SQL. DuckDB: `LIMIT limit + 1` (the extra row tells whether there is a next page), in
 * each branch and overall. Athena: no LIMIT; the execution holds every match and pages are read
 * with NextToken.
 */
export function buildSearchSql(options: SearchSqlOptions): BuiltQuery {
  const { dialect, sources, tenantId, query } = options;
  const b = new Builder(dialect);
  const dir = query.order === 'asc' ? 'ASC' : 'DESC';
  const orderBy = ` ORDER BY ts ${dir}, event_id ${dir}, device_id ${dir}`;
  const limit = dialect === 'duckdb' ? ` LIMIT ${safeInt(query.limit + 1)}` : '';
  const after = options.after;
  const inner = OUTPUT_COLUMNS.map(quote).join(', ');
  const plan = branches(b, sources, tenantId, query, {
    columns: inner,
    read: contestedColumns(query),
    keyed: (bb) => (after ? [keysetPredicate(bb, after, query.order)] : []),
    tail: dialect === 'duckdb' ? `${orderBy}${limit}` : '',
    ...(dialect === 'duckdb'
      ? {
          page: {
            order: query.order === 'asc' ? ('asc' as const) : ('desc' as const),
            limit: query.limit,
            after: after ?? null,
          },
        }
      : {}),
  });
  const output = OUTPUT_COLUMNS.map((c) => {
    // Sorting the text equals sorting the time (fixed-width RFC 3339 UTC).
    if (c === 'ts') return `${formatTs(dialect, 'ts', 'ms')} AS ts`;
    // DuckDB's Node client decodes VARCHAR with a TextDecoder that drops a leading U+FEFF: text
    // goes out as bytes and the engine decodes it as is.
    if (dialect === 'duckdb' && TEXT_OUTPUT.has(c)) return `encode(${quote(c)}) AS ${quote(c)}`;
    return quote(c);
  }).join(', ');
  const union = plan.selects.map((s) => `(${s})`).join(' UNION ALL ');
  const sql = `${plan.ctes}SELECT ${output} FROM (${union}) AS matched${orderBy}${limit}`;
  return { sql, params: b.params };
}

const GROUP_KEY: Record<Exclude<GroupBy, 'day' | 'hour'>, string> = {
  app: 'app',
  domain: 'domain',
  user: '"user"',
  host: 'host',
  deviceId: 'device_id',
  type: 'type',
};

function groupKey(dialect: Dialect, groupBy: GroupBy): string {
  if (groupBy === 'day' || groupBy === 'hour') return formatTs(dialect, 'ts', groupBy);
  return GROUP_KEY[groupBy];
}

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
  const b = new Builder(dialect);
  const columns = `${groupKey(dialect, query.groupBy)} AS group_key, duration_ms`;
  const plan = branches(b, sources, tenantId, query, {
    columns,
    read: contestedColumns(query),
    keyed: () => [],
    tail: '',
  });
  const byTime = TIME_GROUP_BYS.includes(query.groupBy);
  const order = byTime
    ? 'group_key ASC'
    : `${query.metric === 'count' ? 'event_count' : 'duration_ms_total'} DESC, group_key ASC NULLS LAST`;
  const key = dialect === 'duckdb' ? 'encode(group_key) AS group_key' : 'group_key';
  const union = plan.selects.map((s) => `(${s})`).join(' UNION ALL ');
  const sql =
    `${plan.ctes}SELECT ${key}, count(*) AS event_count, coalesce(sum(duration_ms), 0) AS duration_ms_total ` +
    `FROM (${union}) AS matched GROUP BY group_key ORDER BY ${order}` +
    (byTime ? '' : ` LIMIT ${safeInt(query.limit)}`);
  return { sql, params: b.params };
}

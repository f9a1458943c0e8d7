/**
 * The columns of the search SQL (shared/query/sql.ts) and its timestamp expressions: what a
 * query reads of a file with unique rows (only the answer's or the aggregate's columns: Parquet
 * column pruning), and what it reads of contested rows (those plus what the dedup ranks by).
 */
import { DATA_COLUMNS } from '../domain/event.js';
import { positionalEventIdSql } from '../domain/ids.js';
import type { AggregateQuery, GroupBy, QueryScope, SearchQuery } from './request.js';

/**
 * Columns read from both areas, in this order (the stored columns minus the partition columns;
 * `event_pos` only inside `parquetEventId`).
 */
export const SELECT_COLUMNS = DATA_COLUMNS.filter((c) => c !== 'event_pos');

/**
 * The event id of a Parquet row of the current layout: stored, or (NULL, `event_pos` set)
 * derived from tenant, device, batch and position as ingest did (docs/nightly.md "Layout").
 * raw/ and the previous layout always store the id.
 */
export function parquetEventId(dialect: 'athena' | 'duckdb'): string {
  const derived = positionalEventIdSql(dialect, {
    tenant: 'tenant_id',
    device: 'device_id',
    batch: 'batch_id',
    pos: 'event_pos',
  });
  return `coalesce(event_id, ${derived})`;
}

/** Columns a search answers with (the dedup columns stay inside). */
export const OUTPUT_COLUMNS = SELECT_COLUMNS.filter((c) => c !== 'batch_id' && c !== 'received_at');

export const quote = (column: string): string => (column === 'user' ? '"user"' : column);

/** What the dedup needs of every copy: its key and what ranks the copies. */
const DEDUP_COLUMNS = ['device_id', 'event_id', 'received_at', 'batch_id', 'ts'];

/** Stored columns a filter reads. */
export function filterColumns(scope: QueryScope): string[] {
  const f = scope.filters;
  const columns: string[] = [];
  if (scope.types) columns.push('type');
  if (f.deviceId !== undefined) columns.push('device_id');
  if (f.user !== undefined) columns.push('user');
  if (f.host !== undefined) columns.push('host');
  if (f.app !== undefined) columns.push('app');
  if (f.domain !== undefined) columns.push('domain');
  if (f.text !== undefined) columns.push('title', 'url', 'path', 'app');
  return columns;
}

/**
 * The stored columns a query reads of a file with unique rows: a search, the answer's (its
 * filters are among them); an aggregate, `ts`, `duration_ms`, its key and its filters'. Contested
 * rows add what the dedup needs (DEDUP_COLUMNS).
 */
export function neededColumns(query: SearchQuery | AggregateQuery): ReadonlySet<string> {
  if (!('groupBy' in query)) return new Set(OUTPUT_COLUMNS);
  const key = { day: 'ts', hour: 'ts', deviceId: 'device_id' } as Partial<Record<GroupBy, string>>;
  return new Set(['ts', 'duration_ms', key[query.groupBy] ?? query.groupBy, ...filterColumns(query)]);
}

/** The columns read of contested rows: the query's and the dedup's. */
export function contestedColumns(query: SearchQuery | AggregateQuery): ReadonlySet<string> {
  return new Set([...neededColumns(query), ...DEDUP_COLUMNS]);
}

/** Output columns that hold free text (everything but `type`, `ts` and `duration_ms`). */
export const TEXT_OUTPUT: ReadonlySet<string> = new Set(
  OUTPUT_COLUMNS.filter((c) => c !== 'type' && c !== 'ts' && c !== 'duration_ms'),
);

/** RFC 3339 UTC text (`2026-11-24T00:15:02.123Z`) as a timestamp(ms). */
export function parseTs(dialect: 'athena' | 'duckdb', text: string): string {
  return dialect === 'duckdb'
    ? `CAST(${text} AS TIMESTAMP)`
    : `CAST(from_iso8601_timestamp(${text}) AS timestamp(3))`;
}

/** A timestamp as the answer's text: `2026-11-24T00:15:02.123Z`, or its day or hour bucket. */
export function formatTs(dialect: 'athena' | 'duckdb', ts: string, unit: 'ms' | 'day' | 'hour'): string {
  if (dialect === 'duckdb') {
    const format = { ms: '%Y-%m-%dT%H:%M:%S.%gZ', day: '%Y-%m-%d', hour: '%Y-%m-%dT%H:00:00.000Z' }[unit];
    return `strftime(${ts}, '${format}')`;
  }
  const day = `format_datetime(${ts}, 'yyyy-MM-dd')`;
  if (unit === 'day') return day;
  if (unit === 'hour') return `concat(${day}, 'T', format_datetime(${ts}, 'HH'), ':00:00.000Z')`;
  return `concat(${day}, 'T', format_datetime(${ts}, 'HH:mm:ss.SSS'), 'Z')`;
}

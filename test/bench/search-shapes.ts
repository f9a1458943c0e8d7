/**
 * The search bench's questions (search.bench.ts): each as the product is asked it and as DuckDB is
 * asked it directly ("ideal"), the files of a lake it touches, and what Athena would bill for it
 * (the cost model's search bytes, shared/cost/inputs.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../../shared/conversion/sql.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';
import { neededColumns, parquetEventId } from '../../shared/query/sql.js';
import { dayBefore, LAST_DAY } from './search-dataset.js';

const next = dayBefore(LAST_DAY, -1);
const days = (n: number) => ({ from: `${dayBefore(LAST_DAY, n - 1)}T00:00:00Z`, to: `${next}T00:00:00Z` });
export const oneDay = (d: string) => ({ from: `${d}T00:00:00Z`, to: `${dayBefore(d, -1)}T00:00:00Z` });
export const QUIET_DAY = dayBefore(LAST_DAY, 5);

export interface Shape {
  name: string;
  group: '1 day' | '30 days' | '1 year';
  tenant: string;
  kind: 'search' | 'aggregate';
  body: Record<string, unknown>;
  /** The ideal query's WHERE (beyond the time range) and its form. */
  ideal: { where: string; aggregate?: { key: string; metric: 'count' | 'duration'; limit: number | null } };
}

export const SHAPES: Shape[] = [
  {
    name: 'newest 100 of a day (50 PCs)',
    group: '1 day',
    tenant: 'large-01',
    kind: 'search',
    body: { ...oneDay(QUIET_DAY), limit: 100 },
    ideal: { where: 'true' },
  },
  {
    // The administrator's first screen: today so far (with intraday runs, a day of Parquet and
    // the hour since the last run in raw/; nightly runs only, all of it raw).
    name: 'newest 100 of today (10 PCs)',
    group: '1 day',
    tenant: 'mid-01',
    kind: 'search',
    body: { ...oneDay(LAST_DAY), limit: 100 },
    ideal: { where: 'true' },
  },
  {
    name: '30 days, user',
    group: '30 days',
    tenant: 'mid-01',
    kind: 'search',
    body: { ...days(30), filters: { user: 'user2.3' } },
    ideal: { where: `"user" = 'user2.3'` },
  },
  {
    name: '30 days, domain',
    group: '30 days',
    tenant: 'mid-01',
    kind: 'search',
    body: { ...days(30), filters: { domain: 'example.co.jp' } },
    ideal: { where: `(domain = 'example.co.jp' OR domain LIKE '%.example.co.jp')` },
  },
  {
    name: '30 days, text',
    group: '30 days',
    tenant: 'mid-01',
    kind: 'search',
    body: { ...days(30), filters: { text: 'roadmap' } },
    ideal: {
      where: `(lower(title) LIKE '%roadmap%' OR lower(url) LIKE '%roadmap%' OR lower(path) LIKE '%roadmap%' OR lower(app) LIKE '%roadmap%')`,
    },
  },
  {
    name: '30 days, deviceId + type web',
    group: '30 days',
    tenant: 'mid-01',
    kind: 'search',
    body: { ...days(30), types: ['web'], filters: { deviceId: 'PC-2-004' } },
    ideal: { where: `device_id = 'PC-2-004' AND type = 'web'` },
  },
  {
    name: 'aggregate 30 days by app (duration)',
    group: '30 days',
    tenant: 'mid-01',
    kind: 'aggregate',
    body: { ...days(30), groupBy: 'app', metric: 'durationMs' },
    ideal: { where: 'true', aggregate: { key: 'app', metric: 'duration', limit: 20 } },
  },
  {
    name: 'aggregate 30 days by day',
    group: '30 days',
    tenant: 'mid-01',
    kind: 'aggregate',
    body: { ...days(30), groupBy: 'day' },
    ideal: { where: 'true', aggregate: { key: `strftime(ts, '%Y-%m-%d')`, metric: 'count', limit: null } },
  },
  {
    name: 'aggregate 1 year by app (duration)',
    group: '1 year',
    tenant: 'year-01',
    kind: 'aggregate',
    body: { ...days(365), groupBy: 'app', metric: 'durationMs' },
    ideal: { where: 'true', aggregate: { key: 'app', metric: 'duration', limit: 20 } },
  },
  {
    name: 'aggregate 1 year by day',
    group: '1 year',
    tenant: 'year-01',
    kind: 'aggregate',
    body: { ...days(365), groupBy: 'day' },
    ideal: { where: 'true', aggregate: { key: `strftime(ts, '%Y-%m-%d')`, metric: 'count', limit: null } },
  },
];

/** Files (and their total size) of a tenant's days in a range, in one area of a lake. */
export async function filesOf(
  lake: string,
  area: 'raw' | 'parquet',
  tenant: string,
  range: { from: string; to: string },
) {
  const out: string[] = [];
  let bytes = 0;
  for (let d = range.from.slice(0, 10); d < range.to.slice(0, 10); d = dayBefore(d, -1)) {
    const dir = join(lake, partitionPrefix(area, tenant, d));
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      out.push(join(dir, name));
      bytes += (await stat(join(dir, name))).size;
    }
  }
  return { files: out, bytes };
}

export function idealSql(shape: Shape, files: string[]): string {
  const range = shape.body as { from: string; to: string };
  const where =
    `ts >= TIMESTAMP '${range.from.slice(0, 19)}' AND ts < TIMESTAMP '${range.to.slice(0, 19)}' ` +
    `AND ${shape.ideal.where}`;
  const source = `read_parquet([${files.map(sqlString).join(', ')}])`;
  const agg = shape.ideal.aggregate;
  if (!agg) {
    const limit = Number((shape.body as { limit?: number }).limit ?? 100);
    return (
      `SELECT * REPLACE (${parquetEventId('duckdb')} AS event_id) FROM ${source} WHERE ${where} ` +
      `ORDER BY ts DESC, event_id DESC, device_id DESC LIMIT ${limit}`
    );
  }
  const metric = agg.metric === 'count' ? 'count(*)' : 'coalesce(sum(duration_ms), 0)';
  return (
    `SELECT ${agg.key} AS k, count(*) AS n, coalesce(sum(duration_ms), 0) AS d FROM ${source} WHERE ${where} ` +
    `GROUP BY k ORDER BY ${agg.limit === null ? 'k' : `${metric} DESC, k NULLS LAST LIMIT ${agg.limit}`}`
  );
}

/**
 * What Athena would be billed for a question over a lake: the cost model's search bytes
 * (shared/cost/inputs.ts). Athena prunes columns and row groups by their statistics but has no
 * top-N across files, so: every row group in range of the columns the question reads (plus the
 * id's inputs for a search: ids are derived on read), and the raw objects whole. Conservative
 * (Trino also skips row groups by dictionary); DuckDB's own figure (stats.scannedBytes) is far
 * lower for a newest-first page, which stops at the newest row groups.
 */
export async function athenaBytes(
  connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
  lake: string,
  shape: Shape,
): Promise<number> {
  const range = shape.body as { from: string; to: string };
  const raw = await filesOf(lake, 'raw', shape.tenant, range);
  const parquet = (await filesOf(lake, 'parquet', shape.tenant, range)).files.filter((f) =>
    f.endsWith('.parquet'),
  );
  if (parquet.length === 0) return raw.bytes;
  const query =
    shape.kind === 'search' ? parseSearchRequest(shape.body).query : parseAggregateRequest(shape.body);
  const columns = new Set([
    ...neededColumns(query),
    ...(shape.kind === 'search' ? ['tenant_id', 'batch_id', 'event_pos'] : []),
  ]);
  const reader = await connection.runAndReadAll(
    `SELECT coalesce(sum(total_compressed_size), 0)::BIGINT AS b FROM parquet_metadata([${parquet.map(sqlString).join(', ')}]) ` +
      `WHERE path_in_schema IN (${[...columns].map(sqlString).join(', ')})`,
  );
  return raw.bytes + Number(reader.getRowObjectsJS()[0]?.b ?? 0);
}

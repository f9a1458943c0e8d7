/**
 * The compaction statement of one tenant-month, in both dialects: the month's current files and
 * the day folders being absorbed, one row per (dt, device_id, event_id) (the earliest
 * `received_at`, then the smallest `batch_id`: the conversion's rule, per day as the conversion
 * works per day), sorted by `ts` in the converted layout's row groups, to a fresh staging
 * location. Rows keep their `dt`, so readers still split a month by day.
 */

import {
  COLUMN_LIST,
  duckDbParquetRows,
  identifier,
  PARQUET_COLUMN_LIST,
  S3_LOCATION,
  sqlString,
  stagedCopyOptions,
  typedColumnList,
} from '../conversion/sql.js';
import { assertDate, assertMonth, assertTenant } from '../domain/layout.js';

/**
 * Dedup per day (a month holds many days; the same id on two days is two events, as converted),
 * over rows with the full event id (`typedColumnList`), written as the conversion writes them:
 * `event_id` NULL where `event_pos` derives it (PARQUET_COLUMN_LIST).
 */
export function monthDedupSelect(source: string): string {
  return [
    `SELECT ${PARQUET_COLUMN_LIST}`,
    'FROM (',
    `  SELECT ${COLUMN_LIST},`,
    '    row_number() OVER (PARTITION BY "dt", "device_id", "event_id" ORDER BY "received_at" ASC, "batch_id" ASC) AS "rn"',
    `  FROM (${source}) AS "merged"`,
    ') AS "ranked"',
    'WHERE "rn" = 1',
    'ORDER BY "ranked"."ts" ASC, "ranked"."event_id" ASC, "ranked"."device_id" ASC',
  ].join('\n');
}

export interface DuckDbMonthCopyInput {
  tenantId: string;
  month: string;
  /** Local paths of the day folders' files and of the month's current files. */
  files: readonly string[];
  targetDir: string;
  rowGroupSize?: number;
}

export function duckDbMonthCopy(input: DuckDbMonthCopyInput): string {
  assertTenant(input.tenantId);
  assertMonth(input.month);
  if (input.files.length === 0) throw new RangeError('a compaction needs at least one Parquet file');
  // Day and month files written before `event_pos` lack it (duckDbParquetRows gives it as NULL).
  const source = `SELECT ${typedColumnList('duckdb', false)} FROM ${duckDbParquetRows(input.files, true)}`;
  // A directory of files (one, below the conversion's file size), as the conversion writes.
  return `COPY (\n${monthDedupSelect(source)}\n) TO ${sqlString(input.targetDir)} (${stagedCopyOptions(input)})`;
}

export interface AthenaMonthCtasInput {
  database: string;
  /** `events_v2` (day folders, partitions tenant_id and dt). */
  eventsTable: string;
  /** `events_month` (month files, partitions tenant_id and month; dt a data column). */
  monthTable: string;
  tempTable: string;
  /** `s3://bucket/staging/RUN/tenant_id=T/month=M/`. */
  stagingLocation: string;
  tenantId: string;
  month: string;
  /** The days absorbed (their folders are read through `events_v2`). */
  days: readonly string[];
}

/** CTAS of one tenant-month; every value a positional parameter (ExecutionParameters). */
export function athenaMonthCtas(input: AthenaMonthCtasInput): { sql: string; params: string[] } {
  assertTenant(input.tenantId);
  assertMonth(input.month);
  for (const dt of input.days) {
    assertDate(dt);
    if (!dt.startsWith(input.month)) throw new RangeError(`${dt} is not in ${input.month}`);
  }
  if (!S3_LOCATION.test(input.stagingLocation) || !input.stagingLocation.includes('/staging/')) {
    throw new RangeError(`not a staging location: ${input.stagingLocation}`);
  }
  const db = identifier(input.database);
  const columns = typedColumnList('athena', false);
  const parts = [
    `SELECT ${columns} FROM ${db}.${identifier(input.monthTable)} WHERE "tenant_id" = ? AND "month" = ?`,
  ];
  const params = [input.tenantId, input.month];
  if (input.days.length > 0) {
    parts.push(
      `SELECT ${columns} FROM ${db}.${identifier(input.eventsTable)} WHERE "tenant_id" = ? AND "dt" IN (${input.days.map(() => '?').join(', ')})`,
    );
    params.push(input.tenantId, ...input.days);
  }
  const sql = [
    `CREATE TABLE ${db}.${identifier(input.tempTable)}`,
    'WITH (',
    "  format = 'PARQUET',",
    "  write_compression = 'ZSTD',",
    `  external_location = '${input.stagingLocation}'`,
    ') AS',
    monthDedupSelect(parts.join('\n  UNION ALL\n  ')),
  ].join('\n');
  return { sql, params };
}

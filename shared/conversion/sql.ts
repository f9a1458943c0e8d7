/**
 * The conversion statement of one tenant-day, in two dialects. Both read the snapshot's raw
 * JSON lines plus the partition's current Parquet, keep one row per (device_id, event_id) (the
 * earliest `received_at`, then the smallest `batch_id`), sort by `ts` and write Parquet/ZSTD to a
 * fresh staging location. The dedup core is the same text in both dialects.
 *
 * - athena: `CREATE TABLE ... WITH (external_location = staging) AS SELECT ...`; tenant, date and
 *   snapshot time go in as ExecutionParameters (`?`); identifiers and the staging location are ours
 *   and are validated before they are written into the text.
 * - duckdb: `COPY (SELECT ...) TO 'staging dir' (FORMAT parquet, ...)`; DuckDB cannot bind
 *   parameters inside table functions' file lists, so file paths and the partition values are
 *   written as quoted literals after validation (they come from our own listing, never from a user).
 */
import { STORED_COLUMNS } from '../domain/event.js';
import { positionalEventIdSql } from '../domain/ids.js';
import { assertDate, assertTenant } from '../domain/layout.js';
import { COLUMN_TYPES, type ColumnType } from './tables.js';

/** Double-quoted identifier list, in STORED_COLUMNS order (`user` is reserved in both engines). */
export const COLUMN_LIST = STORED_COLUMNS.map((c) => `"${c}"`).join(', ');

/** The timestamp columns: text (RFC 3339 UTC) in raw/, timestamp(ms) in Parquet. */
export const TIMESTAMP_COLUMNS: ReadonlySet<string> = new Set(['ts', 'received_at']);

/**
 * The Parquet layout of a converted day (DuckDB COPY options; docs/nightly.md "Layout"): ZSTD,
 * row groups of 16,384 rows sorted by ts (so footer statistics prune by time and a newest-N
 * reads one row group), Parquet v2 encodings (delta-encoded timestamps: sorted `ts` takes a
 * third of its plain size), and DuckDB's dictionaries (with bloom filters) on the repetitive
 * columns, which it picks itself per column chunk.
 */
export const PARQUET_LAYOUT = Object.freeze({ rowGroupSize: 16_384, compression: 'zstd', version: 'V2' });

/** The COPY options of that layout (the conversion adds its file size and name pattern). */
export const PARQUET_COPY_OPTIONS = [
  'FORMAT parquet',
  `COMPRESSION ${PARQUET_LAYOUT.compression}`,
  `ROW_GROUP_SIZE ${PARQUET_LAYOUT.rowGroupSize}`,
  `PARQUET_VERSION ${PARQUET_LAYOUT.version}`,
].join(', ');

/** The positional id of a row from its stored columns (`tenant`: the tenant's column or literal). */
function derivedId(dialect: 'athena' | 'duckdb', tenant = '"tenant_id"'): string {
  return positionalEventIdSql(dialect, {
    tenant,
    device: '"device_id"',
    batch: '"batch_id"',
    pos: '"event_pos"',
  });
}

/**
 * The stored columns with ts and received_at as timestamp(ms) and the full `event_id`, from a
 * source of either layout (`partition`: literals for the partition columns, DuckDB's raw/).
 * raw/ (`fromText`) carries the id and its position, which is kept only when the id is the one
 * derived from it (so a NULL id written from it is always derivable); Parquet carries NULL for
 * derived ids, filled here (docs/nightly.md "Layout").
 */
export function typedColumnList(
  dialect: 'athena' | 'duckdb',
  fromText: boolean,
  partition?: { tenant: string; dt: string },
): string {
  const tenant = partition?.tenant;
  return STORED_COLUMNS.map((c) => {
    if (c === 'tenant_id' && partition) return `${partition.tenant} AS "tenant_id"`;
    if (c === 'dt' && partition) return `${partition.dt} AS "dt"`;
    if (c === 'event_id' && !fromText)
      return `coalesce("event_id", ${derivedId(dialect, tenant)}) AS "event_id"`;
    if (c === 'event_pos' && fromText) {
      return `CASE WHEN "event_id" = ${derivedId(dialect, tenant)} THEN "event_pos" END AS "event_pos"`;
    }
    if (!TIMESTAMP_COLUMNS.has(c)) return `"${c}"`;
    if (dialect === 'duckdb') return `CAST("${c}" AS TIMESTAMP_MS) AS "${c}"`;
    return fromText
      ? `CAST(from_iso8601_timestamp("${c}") AS timestamp(3)) AS "${c}"`
      : `CAST("${c}" AS timestamp(3)) AS "${c}"`;
  }).join(', ');
}

/**
 * The columns as the converted Parquet stores them, over rows with the full id: `event_id` NULL
 * where `event_pos` derives it (25 bytes an event less: docs/nightly.md "Layout").
 */
export const PARQUET_COLUMN_LIST = STORED_COLUMNS.map((c) =>
  c === 'event_id' ? 'CASE WHEN "event_pos" IS NULL THEN "event_id" END AS "event_id"' : `"${c}"`,
).join(', ');

/**
 * The dedup and ordering shared by both dialects, over a relation `source` with every stored
 * column and the full event id (`typedColumnList`); written with derived ids left out.
 */
export function dedupSelect(source: string): string {
  return [
    `SELECT ${PARQUET_COLUMN_LIST}`,
    'FROM (',
    `  SELECT ${COLUMN_LIST},`,
    '    row_number() OVER (PARTITION BY "device_id", "event_id" ORDER BY "received_at" ASC, "batch_id" ASC) AS "rn"',
    `  FROM (${source}) AS "merged"`,
    ') AS "ranked"',
    'WHERE "rn" = 1',
    'ORDER BY "ranked"."ts" ASC, "ranked"."event_id" ASC, "ranked"."device_id" ASC',
  ].join('\n');
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,127}$/;
export const S3_LOCATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9=_./-]+\/$/;

/** A validated, double-quoted identifier (ours: database, table names). */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`not a safe identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export interface AthenaCtasInput {
  database: string;
  rawTable: string;
  eventsTable: string;
  /**
   * The previous layout's table (`parquet/`, ts as text), merged into the day's rewrite until no
   * day of that layout remains; empty or absent once the migration is over (docs/deploy.md).
   */
  legacyTable?: string;
  /** The compacted months' table (`parquet-v2-month/`): read for the day's rows when its month has a file. */
  monthTable?: string;
  /** Fresh per attempt; dropped once the query ends. */
  tempTable: string;
  /** `s3://bucket/staging/RUN/tenant_id=T/dt=D/` (empty: a fresh prefix per attempt). */
  stagingLocation: string;
  tenantId: string;
  dt: string;
  /** Raw objects modified after this instant (ISO) arrived after the snapshot and wait for the next run. */
  snapshotTime: string;
}

export interface ParameterisedSql {
  sql: string;
  /** Positional values for `?`, in order. */
  params: string[];
}

/** The SELECT of the Athena CTAS (golden-tested with node-sql-parser's trino dialect). */
export function athenaSelect(
  input: Omit<AthenaCtasInput, 'tempTable' | 'stagingLocation'>,
): ParameterisedSql {
  assertTenant(input.tenantId);
  assertDate(input.dt);
  if (Number.isNaN(Date.parse(input.snapshotTime))) throw new RangeError(`not a time: ${input.snapshotTime}`);
  const db = identifier(input.database);
  const source = [
    `SELECT ${typedColumnList('athena', true)} FROM ${db}.${identifier(input.rawTable)}`,
    '  WHERE "tenant_id" = ? AND "dt" = ? AND "$file_modified_time" <= from_iso8601_timestamp(?)',
    '  UNION ALL',
    `  SELECT ${typedColumnList('athena', false)} FROM ${db}.${identifier(input.eventsTable)}`,
    '  WHERE "tenant_id" = ? AND "dt" = ?',
  ];
  const params = [input.tenantId, input.dt, input.snapshotTime, input.tenantId, input.dt];
  if (input.legacyTable) {
    source.push(
      '  UNION ALL',
      `  SELECT ${typedColumnList('athena', true)} FROM ${db}.${identifier(input.legacyTable)}`,
      '  WHERE "tenant_id" = ? AND "dt" = ?',
    );
    params.push(input.tenantId, input.dt);
  }
  if (input.monthTable) {
    source.push(
      '  UNION ALL',
      `  SELECT ${typedColumnList('athena', false)} FROM ${db}.${identifier(input.monthTable)}`,
      '  WHERE "tenant_id" = ? AND "month" = ? AND "dt" = ?',
    );
    params.push(input.tenantId, input.dt.slice(0, 7), input.dt);
  }
  return { sql: dedupSelect(source.join('\n')), params };
}

export function athenaCtas(input: AthenaCtasInput): ParameterisedSql {
  if (!S3_LOCATION.test(input.stagingLocation) || !input.stagingLocation.includes('/staging/')) {
    throw new RangeError(`not a staging location: ${input.stagingLocation}`);
  }
  const select = athenaSelect(input);
  const sql = [
    `CREATE TABLE ${identifier(input.database)}.${identifier(input.tempTable)}`,
    'WITH (',
    "  format = 'PARQUET',",
    "  write_compression = 'ZSTD',",
    `  external_location = '${input.stagingLocation}'`,
    ') AS',
    select.sql,
  ].join('\n');
  return { sql, params: select.params };
}

export function athenaDropTable(database: string, table: string): string {
  return `DROP TABLE IF EXISTS \`${identifier(database).slice(1, -1)}\`.\`${identifier(table).slice(1, -1)}\``;
}

export interface DuckDbCopyInput {
  tenantId: string;
  dt: string;
  /** Local paths of the snapshot's raw objects (gzip JSON lines); none for a layout rewrite. */
  rawFiles: readonly string[];
  /** Local paths of the partition's current Parquet files (may be empty). */
  parquetFiles: readonly string[];
  /** Local paths of the day's month files (a compacted month): only the day's rows are read. */
  monthFiles?: readonly string[];
  /** Directory the Parquet files are written into (must not exist yet or be empty). */
  targetDir: string;
  rowGroupSize?: number;
  /** A new file is started past this size (DuckDB FILE_SIZE_BYTES). */
  fileSizeBytes?: number;
}

/** A SQL string literal; rejects control characters (paths and ids never hold any). */
/** True when the text holds an ASCII control character (no path or id ever does). */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 0x20) return true;
  return false;
}

export function sqlString(value: string): string {
  if (hasControlCharacter(value)) throw new RangeError('control character in a SQL literal');
  return `'${value.replaceAll("'", "''")}'`;
}

const DUCKDB_TYPES: Record<ColumnType, string> = { string: 'VARCHAR', bigint: 'BIGINT', int: 'INTEGER' };

/** `read_json`'s `columns` for raw lines: every stored column with its type (missing keys: NULL). */
export const DUCKDB_JSON_COLUMNS = `{${STORED_COLUMNS.map(
  (c) => `${sqlString(c)}: ${sqlString(DUCKDB_TYPES[COLUMN_TYPES[c]])}`,
).join(', ')}}`;

/**
 * The snapshot's raw JSON lines as the stored columns: types declared (no detection), ts and
 * received_at cast to timestamp(ms), `event_pos` kept only where it derives the id
 * (`typedColumnList`), and, like Athena, tenant_id and dt taken from where the files sit, not
 * from the line. Shared with the benchmark's bare COPY, so both read alike.
 */
export function duckDbRawSelect(tenantId: string, dt: string, rawFiles: readonly string[]): string {
  assertTenant(tenantId);
  assertDate(dt);
  const columns = typedColumnList('duckdb', true, { tenant: sqlString(tenantId), dt: sqlString(dt) });
  return `SELECT ${columns} FROM read_json([${rawFiles.map(sqlString).join(', ')}], format = 'newline_delimited', compression = 'gzip', columns = ${DUCKDB_JSON_COLUMNS})`;
}

/**
 * Parquet files of the current layout read together by name, with `event_pos` whether or not
 * they have it: files written before it lack the column, and the empty relation in front gives
 * it to them (as NULL: their ids are stored). `dataDt`: `dt` is a data column (month files), so
 * no hive partitioning.
 */
export function duckDbParquetRows(files: readonly string[], dataDt = false): string {
  const options = dataDt ? 'union_by_name = true, hive_partitioning = false' : 'union_by_name = true';
  return (
    `(FROM (VALUES (CAST(NULL AS INTEGER))) AS "none"("event_pos") WHERE false ` +
    `UNION ALL BY NAME FROM read_parquet([${files.map(sqlString).join(', ')}], ${options}))`
  );
}

/**
 * The COPY options of a staged write (conversion and compaction): the Parquet layout, a directory
 * of `part-N` files (a new one past `fileSizeBytes`), and RETURN_FILES, so the statement answers
 * (Count, Files) and the engine need not list the staging folder.
 */
export function stagedCopyOptions(sizes: { rowGroupSize?: number; fileSizeBytes?: number }): string {
  return [
    'FORMAT parquet',
    `COMPRESSION ${PARQUET_LAYOUT.compression}`,
    `ROW_GROUP_SIZE ${Math.trunc(sizes.rowGroupSize ?? PARQUET_LAYOUT.rowGroupSize)}`,
    `PARQUET_VERSION ${PARQUET_LAYOUT.version}`,
    `FILE_SIZE_BYTES ${Math.trunc(sizes.fileSizeBytes ?? 256 * 1024 * 1024)}`,
    "FILENAME_PATTERN 'part-{i}'",
    'RETURN_FILES true',
  ].join(', ');
}

export function duckDbCopy(input: DuckDbCopyInput): string {
  assertTenant(input.tenantId);
  assertDate(input.dt);
  if (input.rawFiles.length + input.parquetFiles.length === 0) {
    throw new RangeError('a conversion needs at least one raw or Parquet file');
  }
  const parts: string[] = [];
  if (input.rawFiles.length > 0) parts.push(duckDbRawSelect(input.tenantId, input.dt, input.rawFiles));
  if (input.parquetFiles.length > 0) {
    // union_by_name: files of the previous layout (text ts) and of this one read together; the
    // cast brings both to timestamp(ms). Files written before `event_pos` lack it: the empty
    // relation in front gives it to them (as NULL: their ids are stored).
    parts.push(`SELECT ${typedColumnList('duckdb', false)} FROM ${duckDbParquetRows(input.parquetFiles)}`);
  }
  if (input.monthFiles && input.monthFiles.length > 0) {
    parts.push(
      `SELECT ${typedColumnList('duckdb', false)} FROM ${duckDbParquetRows(input.monthFiles, true)} WHERE "dt" = ${sqlString(input.dt)}`,
    );
  }
  return `COPY (\n${dedupSelect(parts.join('\n  UNION ALL\n  '))}\n) TO ${sqlString(input.targetDir)} (${stagedCopyOptions(input)})`;
}

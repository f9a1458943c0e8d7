/**
 * The two Glue tables the lake is queried through (Athena) and their column types, derived from
 * STORED_COLUMNS so SQL, Terraform and tests share one list. Terraform's aws_glue_catalog_table
 * resources follow `GLUE_TABLES` (docs/nightly.md lists the same facts).
 */
import { DATA_COLUMNS, PARTITION_KEYS, STORED_COLUMNS, type StoredColumn } from '../domain/event.js';

export { DATA_COLUMNS, PARTITION_KEYS, type StoredColumn };

/** Athena/Hive type of a stored column as raw/ holds it. */
export type ColumnType = 'string' | 'bigint' | 'int';

/** `duration_ms` and `event_pos` (the position in the batch, < 10,000) are the only numbers. */
export const COLUMN_TYPES: Readonly<Record<StoredColumn, ColumnType>> = Object.freeze(
  Object.fromEntries(
    STORED_COLUMNS.map((c) => [c, c === 'duration_ms' ? 'bigint' : c === 'event_pos' ? 'int' : 'string']),
  ) as Record<StoredColumn, ColumnType>,
);

/** Type of each column in the converted Parquet: `ts` and `received_at` are timestamps (ms). */
export const PARQUET_COLUMN_TYPES: Readonly<Record<StoredColumn, ColumnType | 'timestamp'>> = Object.freeze({
  ...COLUMN_TYPES,
  ts: 'timestamp',
  received_at: 'timestamp',
});

export interface GlueTableFacts {
  name: string;
  /** Prefix under the bucket that the projection's location template starts with. */
  prefix: string;
  format: 'json-gz' | 'parquet';
  columns: { name: string; type: string }[];
  partitionKeys: { name: string; type: 'string' }[];
  /** Table parameters for partition projection (`${bucket}` is the lake bucket). */
  parameters: Record<string, string>;
}

function projection(prefix: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.tenant_id.type': 'injected',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': '2020-01-01,NOW',
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    'storage.location.template': `s3://\${bucket}/${prefix}tenant_id=\${tenant_id}/dt=\${dt}/`,
  };
}

/**
 * `events` is the converted Parquet (`parquet-v2/`, typed ts); `legacy` is the previous layout
 * (`parquet/`, ts as text) under the Glue name the first deployments gave it, so a deployed
 * table never changes type under files written for it (docs/deploy.md "Upgrading the layout").
 */
export const GLUE_TABLES: Readonly<Record<'raw' | 'events' | 'legacy', GlueTableFacts>> = Object.freeze({
  raw: {
    name: 'raw_events',
    prefix: 'raw/',
    format: 'json-gz',
    columns: DATA_COLUMNS.map((name) => ({ name, type: COLUMN_TYPES[name] })),
    partitionKeys: PARTITION_KEYS.map((name) => ({ name, type: 'string' as const })),
    parameters: { ...projection('raw/'), classification: 'json', compressionType: 'gzip' },
  },
  events: {
    name: 'events_v2',
    prefix: 'parquet-v2/',
    format: 'parquet',
    columns: DATA_COLUMNS.map((name) => ({ name, type: PARQUET_COLUMN_TYPES[name] })),
    partitionKeys: PARTITION_KEYS.map((name) => ({ name, type: 'string' as const })),
    parameters: { ...projection('parquet-v2/'), classification: 'parquet', 'parquet.compression': 'ZSTD' },
  },
  legacy: {
    name: 'events',
    prefix: 'parquet/',
    format: 'parquet',
    columns: DATA_COLUMNS.map((name) => ({ name, type: COLUMN_TYPES[name] })),
    partitionKeys: PARTITION_KEYS.map((name) => ({ name, type: 'string' as const })),
    parameters: { ...projection('parquet/'), classification: 'parquet', 'parquet.compression': 'ZSTD' },
  },
});

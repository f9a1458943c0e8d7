/**
 * Object key layout of the lake, the same on S3 and in the local data directory. Every stage
 * and every test reads and writes through these helpers.
 *
 *   raw/tenant_id=T/dt=D/...json.gz         Firehose output (gzip JSON lines), not yet converted
 *   archive/raw/tenant_id=T/dt=D/...        raw objects already converted (kept for the raw window)
 *   parquet-v2/tenant_id=T/dt=D/RUN-N.parquet  converted, deduplicated events (typed ts, ms)
 *   parquet/tenant_id=T/dt=D/RUN-N.parquet     the previous layout (text ts): read as legacy until
 *                                              the nightly run rewrites the day into parquet-v2/
 *   parquet-v2-month/tenant_id=T/month=M/RUN-N.parquet  a small tenant's closed month compacted into
 *                                              one file (typed, ts-sorted; rows keep their dt)
 *   staging/RUN/tenant_id=T/dt=D/           conversion output before promotion (fresh per attempt)
 *   staging/RUN/tenant_id=T/month=M/        compaction output before promotion
 *   rejects/tenant_id=T/dt=D/BATCH.json     invalid events with their reasons (dt = day received)
 *   spool/tenant_id=T/ID.json               claim-checked batches too big for one queue message (then their delivery receipts)
 *   errors/firehose/...                     Firehose's error prefix
 *   failures/SHA256.json                    a failing function's record of a message (shared/dlq)
 *   archive/dlq/SOURCE/dt=D/RUN-N.jsonl     dead letters the dlq-sweeper kept for investigation
 *   state/alerts/KEY.json                   when the sweeper last sent an alert (storm dedup)
 */
import { DATE_PATTERN, TENANT_PATTERN } from './limits.js';

export const PREFIX = Object.freeze({
  raw: 'raw/',
  archiveRaw: 'archive/raw/',
  parquet: 'parquet-v2/',
  /** The previous layout's prefix: its own Glue table (text ts), never mixed with parquet-v2/. */
  parquetV1: 'parquet/',
  /** Closed months of small tenants compacted into one file (docs/nightly.md "Compaction"). */
  parquetMonth: 'parquet-v2-month/',
  staging: 'staging/',
  rejects: 'rejects/',
  spool: 'spool/',
  firehoseErrors: 'errors/firehose/',
  failures: 'failures/',
  archiveDlq: 'archive/dlq/',
  alertState: 'state/alerts/',
  /** Who converts a tenant-day now (shared/adapters/aws/s3-day-leases.ts); minutes-lived objects. */
  leases: 'state/leases/',
});

export type Area = 'raw' | 'archiveRaw' | 'parquet' | 'parquetV1' | 'rejects';

export function partitionPrefix(area: Area, tenantId: string, dt?: string): string {
  assertTenant(tenantId);
  const base = `${PREFIX[area]}tenant_id=${tenantId}/`;
  if (dt === undefined) return base;
  assertDate(dt);
  return `${base}dt=${dt}/`;
}

/** `parquet-v2-month/tenant_id=T/` or, with a month (`YYYY-MM`), `.../month=M/`. */
export function monthPartitionPrefix(tenantId: string, month?: string): string {
  assertTenant(tenantId);
  const base = `${PREFIX.parquetMonth}tenant_id=${tenantId}/`;
  if (month === undefined) return base;
  assertMonth(month);
  return `${base}month=${month}/`;
}

/** The month (`YYYY-MM`) of a `YYYY-MM-DD` day. */
export function monthOf(dt: string): string {
  assertDate(dt);
  return dt.slice(0, 7);
}

export function assertMonth(month: string): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
    throw new RangeError(`not a YYYY-MM month: ${JSON.stringify(month)}`);
}

export function tenantPrefixes(tenantId: string): string[] {
  assertTenant(tenantId);
  return [
    partitionPrefix('raw', tenantId),
    partitionPrefix('archiveRaw', tenantId),
    partitionPrefix('parquet', tenantId),
    monthPartitionPrefix(tenantId),
    partitionPrefix('parquetV1', tenantId),
    partitionPrefix('rejects', tenantId),
    `${PREFIX.spool}tenant_id=${tenantId}/`,
  ];
}

export interface PartitionRef {
  tenantId: string;
  dt: string;
}

/** Reads `tenant_id=T/dt=D` out of any key of the layout; null for keys outside it. */
export function parsePartition(key: string): PartitionRef | null {
  const match = /(?:^|\/)tenant_id=([a-z0-9][a-z0-9-]{2,62})\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key);
  if (!match || match[1] === undefined || match[2] === undefined) return null;
  return { tenantId: match[1], dt: match[2] };
}

export function assertTenant(tenantId: string): void {
  if (!TENANT_PATTERN.test(tenantId)) throw new RangeError(`not a tenant id: ${JSON.stringify(tenantId)}`);
}

export function assertDate(dt: string): void {
  if (!DATE_PATTERN.test(dt) || Number.isNaN(Date.parse(`${dt}T00:00:00Z`))) {
    throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(dt)}`);
  }
}

/** Which of N shards (Firehose streams, Athena workgroups) a tenant maps to: FNV-1a, stable. */
export function shardOf(tenantId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1)
    throw new RangeError(`shards must be a positive integer: ${shards}`);
  let hash = 0x811c9dc5;
  for (let i = 0; i < tenantId.length; i++) {
    hash ^= tenantId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

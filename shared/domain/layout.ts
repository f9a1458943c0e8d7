/**
 * Object key layout of the lake, the same on S3 and in the local data directory. Every stage
 * and every test reads and writes through these helpers.
 *
 *   raw/tenant_id=T/dt=D/...json.gz         Firehose output (gzip JSON lines), not yet converted
 *   archive/raw/tenant_id=T/dt=D/...        raw objects already converted (kept for the raw window)
 *   parquet/tenant_id=T/dt=D/RUN-N.parquet  converted, deduplicated events
 *   staging/RUN/tenant_id=T/dt=D/           conversion output before promotion (fresh per attempt)
 *   rejects/tenant_id=T/dt=D/BATCH.json     invalid events with their reasons (dt = day received)
 *   spool/tenant_id=T/ID.json               claim-checked batches too big for one queue message
 *   errors/firehose/...                     Firehose's error prefix
 *   failures/SHA256.json                    a failing function's record of a message (shared/dlq)
 *   archive/dlq/SOURCE/dt=D/RUN-N.jsonl     dead letters the dlq-sweeper kept for investigation
 *   state/alerts/KEY.json                   when the sweeper last sent an alert (storm dedup)
 */
import { DATE_PATTERN, TENANT_PATTERN } from './limits.js';

export const PREFIX = Object.freeze({
  raw: 'raw/',
  archiveRaw: 'archive/raw/',
  parquet: 'parquet/',
  staging: 'staging/',
  rejects: 'rejects/',
  spool: 'spool/',
  firehoseErrors: 'errors/firehose/',
  failures: 'failures/',
  archiveDlq: 'archive/dlq/',
  alertState: 'state/alerts/',
});

export type Area = 'raw' | 'archiveRaw' | 'parquet' | 'rejects';

export function partitionPrefix(area: Area, tenantId: string, dt?: string): string {
  assertTenant(tenantId);
  const base = `${PREFIX[area]}tenant_id=${tenantId}/`;
  if (dt === undefined) return base;
  assertDate(dt);
  return `${base}dt=${dt}/`;
}

export function tenantPrefixes(tenantId: string): string[] {
  assertTenant(tenantId);
  return [
    partitionPrefix('raw', tenantId),
    partitionPrefix('archiveRaw', tenantId),
    partitionPrefix('parquet', tenantId),
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

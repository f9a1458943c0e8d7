/**
 * Retention of the lake, by partition date (`dt`):
 *   parquet-v2/ (and the previous layout's parquet/)  converted events, 5 years by default, per-tenant override
 *   parquet-v2-month/  compacted months: deleted when the month's last day passes the same window
 *                 (its first days outlive the window by less than a month; docs/nightly.md "Compaction")
 *   archive/raw/  converted raw objects, kept `archiveRawDays` (default 7) for replays
 *   rejects/      invalid events, kept `rejectsDays` (default 30)
 *   staging/      attempts older than `stagingHours` (default 24) are leftovers of crashed runs
 *
 * Locally the nightly job applies all of it. On AWS, S3 lifecycle rules expire archive/raw/,
 * rejects/ and staging/ by object age (Terraform) and the job applies `areas: ['parquet']` plus
 * per-tenant overrides (a lifecycle rule cannot tell tenants apart cheaply).
 */
import { PREFIX } from '../domain/layout.js';
import { DATE_PATTERN, TENANT_PATTERN } from '../domain/limits.js';
import type { ObjectStore } from '../ports/object-store.js';

export interface RetentionWindow {
  parquetDays: number;
  archiveRawDays: number;
  rejectsDays: number;
}

export interface RetentionPolicy extends RetentionWindow {
  stagingHours: number;
  perTenant: Readonly<Record<string, Partial<RetentionWindow>>>;
}

export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({
  parquetDays: 5 * 366,
  archiveRawDays: 7,
  rejectsDays: 30,
  stagingHours: 24,
  perTenant: Object.freeze({}),
});

export type RetentionArea = 'parquet' | 'archiveRaw' | 'rejects' | 'staging';
export const ALL_RETENTION_AREAS: readonly RetentionArea[] = ['parquet', 'archiveRaw', 'rejects', 'staging'];

export interface RetentionReport {
  deletedObjects: number;
  deletedBytes: number;
  deletedPartitions: number;
}

const WINDOW_OF = { parquet: 'parquetDays', archiveRaw: 'archiveRawDays', rejects: 'rejectsDays' } as const;

/** The first date kept: partitions with dt before it are expired. */
export function cutoffDate(today: string, days: number): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

export async function deletePrefix(
  store: ObjectStore,
  prefix: string,
): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  let batch: string[] = [];
  for await (const info of store.list(prefix)) {
    batch.push(info.key);
    objects++;
    bytes += info.size;
    if (batch.length === 1000) {
      await store.delete(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.delete(batch);
  return { objects, bytes };
}

/** A day folder's date, or the last day of a month folder (`month=YYYY-MM`); other names as they are. */
function lastDayOf(folder: string): string {
  const month = /^month=(\d{4})-(\d{2})$/.exec(folder);
  if (!month) return folder;
  return new Date(Date.UTC(Number(month[1]), Number(month[2]), 0)).toISOString().slice(0, 10);
}

/** Run id prefixes start with a compact UTC stamp (`20261124T011500123Z-...`, convert.ts). */
function runStartedAt(runId: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(runId);
  if (!m) return null;
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
}

export async function applyRetention(
  store: ObjectStore,
  options: {
    policy?: RetentionPolicy;
    /** The run's date and time. */
    now: Date;
    areas?: readonly RetentionArea[];
  },
): Promise<RetentionReport> {
  const policy = options.policy ?? DEFAULT_RETENTION;
  const areas = options.areas ?? ALL_RETENTION_AREAS;
  const today = options.now.toISOString().slice(0, 10);
  const report: RetentionReport = { deletedObjects: 0, deletedBytes: 0, deletedPartitions: 0 };
  const add = (r: { objects: number; bytes: number }) => {
    report.deletedObjects += r.objects;
    report.deletedBytes += r.bytes;
  };

  for (const area of areas) {
    if (area === 'staging') {
      for (const runPrefix of await store.listPrefixes(PREFIX.staging)) {
        const started = runStartedAt(runPrefix.slice(PREFIX.staging.length));
        if (started !== null && options.now.getTime() - started >= policy.stagingHours * 3_600_000) {
          add(await deletePrefix(store, runPrefix));
        }
      }
      continue;
    }
    // parquet covers both layouts (parquet-v2/ and the previous layout's parquet/) and the months.
    const roots =
      area === 'parquet' ? [PREFIX.parquet, PREFIX.parquetV1, PREFIX.parquetMonth] : [PREFIX[area]];
    for (const root of roots)
      for (const tenantPrefix of await store.listPrefixes(root)) {
        const tenantId = tenantPrefix
          .slice(root.length)
          .replace(/^tenant_id=/, '')
          .replace(/\/$/, '');
        if (!TENANT_PATTERN.test(tenantId)) continue;
        const days = policy.perTenant[tenantId]?.[WINDOW_OF[area]] ?? policy[WINDOW_OF[area]];
        const cutoff = cutoffDate(today, days);
        for (const datePrefix of await store.listPrefixes(tenantPrefix)) {
          const dt = lastDayOf(datePrefix.slice(tenantPrefix.length).replace(/^dt=/, '').replace(/\/$/, ''));
          if (DATE_PATTERN.test(dt) && dt < cutoff) {
            add(await deletePrefix(store, datePrefix));
            report.deletedPartitions++;
          }
        }
      }
  }
  return report;
}

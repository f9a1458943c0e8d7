/**
 * Which of a tenant's months to compact tonight (docs/nightly.md "Compaction of small tenants").
 *
 * A month is closed once `graceDays` have passed after its last day (late arrivals for it are
 * rare by then; one that comes re-opens a day, below). Of a closed month, the days that can be
 * absorbed are those with converted files (`parquet-v2/`), no raw objects (pending conversion)
 * and no files of the previous layout (rewritten by the conversion first). Then:
 *   - a month with no month file yet is compacted when it has at least `minDays` such days and
 *     every one is small (its files total at most `maxDayBytes`): large tenants keep day files;
 *   - a month that already has a month file absorbs every such day whatever its size (a day
 *     re-opened by a late arrival and converted again, or a late first event of a day), and is
 *     compacted again when its folder holds files of more than one run (a promotion cut short).
 * At most `maxMonths` months a tenant a night, oldest first: bounded, and the next night goes on.
 */
import { monthPartitionPrefix, PREFIX, partitionPrefix } from '../domain/layout.js';
import type { ObjectStore } from '../ports/object-store.js';
import { runOfKey } from './compact.js';

export interface CompactionPolicy {
  /** Days after a month's last day before it is compacted. Default 3. */
  graceDays: number;
  /** A day folder larger than this keeps its own files (unless its month already has a file). Default 8 MiB. */
  maxDayBytes: number;
  /** Fewest days worth a month file. Default 2. */
  minDays: number;
  /** Months compacted per tenant a night. Default 3. */
  maxMonths: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = Object.freeze({
  graceDays: 3,
  maxDayBytes: 8 * 1024 * 1024,
  minDays: 2,
  maxMonths: 3,
});

export interface MonthPlan {
  tenantId: string;
  month: string;
  days: string[];
}

/** The first day after `month` plus grace, as `YYYY-MM-DD`: the month is closed from then on. */
export function closedFrom(month: string, graceDays: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = Date.UTC(y, m, 1); // month m (1-based) + 1, 0-based
  return new Date(next + graceDays * 86_400_000).toISOString().slice(0, 10);
}

const dayOf = (folder: string): string | undefined => /dt=(\d{4}-\d{2}-\d{2})\/$/.exec(folder)?.[1];
const monthOfFolder = (folder: string): string | undefined => /month=(\d{4}-\d{2})\/$/.exec(folder)?.[1];

async function folderBytes(store: ObjectStore, prefix: string): Promise<{ bytes: number; keys: string[] }> {
  let bytes = 0;
  const keys: string[] = [];
  for await (const o of store.list(prefix)) {
    if (!o.key.endsWith('.parquet')) continue;
    bytes += o.size;
    keys.push(o.key);
  }
  return { bytes, keys };
}

export async function planCompaction(
  store: ObjectStore,
  tenantId: string,
  today: string,
  policy: CompactionPolicy = DEFAULT_COMPACTION,
): Promise<MonthPlan[]> {
  const daysOf = async (prefix: string) =>
    new Set((await store.listPrefixes(prefix)).map(dayOf).filter((d): d is string => d !== undefined));
  const rawDays = await daysOf(partitionPrefix('raw', tenantId));
  const legacyDays = await daysOf(partitionPrefix('parquetV1', tenantId));
  const dayFolders = [...(await daysOf(partitionPrefix('parquet', tenantId)))].sort();
  const monthFolders = (await store.listPrefixes(monthPartitionPrefix(tenantId)))
    .map(monthOfFolder)
    .filter((m): m is string => m !== undefined);

  const months = new Set([...dayFolders.map((d) => d.slice(0, 7)), ...monthFolders]);
  const plans: MonthPlan[] = [];
  for (const month of [...months].sort()) {
    if (plans.length >= policy.maxMonths) break;
    if (today < closedFrom(month, policy.graceDays)) continue;
    const candidates = dayFolders.filter(
      (d) => d.startsWith(`${month}-`) && !rawDays.has(d) && !legacyDays.has(d),
    );
    const monthFiles = await folderBytes(store, monthPartitionPrefix(tenantId, month));
    if (monthFiles.keys.length > 0) {
      const runs = new Set(monthFiles.keys.map(runOfKey));
      if (candidates.length > 0 || runs.size > 1) plans.push({ tenantId, month, days: candidates });
      continue;
    }
    if (candidates.length < policy.minDays) continue;
    let small = true;
    for (const dt of candidates) {
      const { bytes } = await folderBytes(store, partitionPrefix('parquet', tenantId, dt));
      if (bytes > policy.maxDayBytes) {
        small = false;
        break;
      }
    }
    if (small) plans.push({ tenantId, month, days: candidates });
  }
  return plans;
}

/** Tenants with converted data (both the day and the month prefixes), for a whole-lake pass. */
export async function tenantsWithParquet(store: ObjectStore): Promise<string[]> {
  const out = new Set<string>();
  for (const root of [PREFIX.parquet, PREFIX.parquetMonth]) {
    for (const prefix of await store.listPrefixes(root)) {
      const m = /tenant_id=([^/]+)\/$/.exec(prefix);
      if (m?.[1]) out.add(m[1]);
    }
  }
  return [...out].sort();
}

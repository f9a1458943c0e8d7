/**
 * Which tenant-days are pending: every (tenant, dt) with at least one object under raw/ (raw/
 * holds only unconverted data, docs/architecture.md), dt on or before the run's date. Late
 * arrivals for old days are found the same way. Cost: one LIST for raw/ plus one per tenant
 * (S3 LIST $0.005 per 1,000), against Athena's 10 MB minimum per query (docs/nightly.md).
 *
 * Layout migration: days that still hold files of the previous layout (parquet/, text ts) are
 * targets too, at most `legacyDaysPerRun` a run, oldest first, so a deployed lake is rewritten
 * into parquet-v2/ over a few nights (one more LIST for parquet/, one per tenant found there).
 */
import { assertDate, PREFIX } from '../domain/layout.js';
import { DATE_PATTERN, TENANT_PATTERN } from '../domain/limits.js';
import type { ObjectStore } from '../ports/object-store.js';

export const DEFAULT_LEGACY_DAYS_PER_RUN = 50;

export interface TenantTargets {
  tenantId: string;
  /** Ascending. */
  dates: string[];
}

export interface Discovery {
  items: TenantTargets[];
  /** Tenant-days in all items. */
  targets: number;
  /** LIST calls made (for the cost note). */
  listCalls: number;
  /** Days of the previous layout still in the lake (before this run); 0 = migration over. */
  legacyDays: number;
}

async function tenantsUnder(store: ObjectStore, root: string): Promise<string[]> {
  const tenants: string[] = [];
  for (const tenantPrefix of await store.listPrefixes(root)) {
    const tenantId = folderValue(tenantPrefix, 'tenant_id');
    if (tenantId !== null && TENANT_PATTERN.test(tenantId)) tenants.push(tenantId);
  }
  return tenants;
}

async function datesUnder(
  store: ObjectStore,
  root: string,
  tenantId: string,
  date: string,
): Promise<string[]> {
  const dates: string[] = [];
  for (const datePrefix of await store.listPrefixes(`${root}tenant_id=${tenantId}/`)) {
    const dt = folderValue(datePrefix, 'dt');
    if (dt !== null && DATE_PATTERN.test(dt) && dt <= date) dates.push(dt);
  }
  return dates.sort();
}

/** Runs `work` over `items`, `width` at a time. */
async function eachWide<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
}

function folderValue(prefix: string, key: string): string | null {
  const name = prefix.replace(/\/$/, '').split('/').pop() ?? '';
  return name.startsWith(`${key}=`) ? name.slice(key.length + 1) : null;
}

export async function discoverTargets(
  store: ObjectStore,
  date: string,
  /** Tenant listings in flight at once (S3 LIST takes tens of ms; 10,000 tenants in series would take minutes). */
  width = 16,
  /** Days of the previous layout added as targets per run (a bounded nightly migration). */
  legacyDaysPerRun = DEFAULT_LEGACY_DAYS_PER_RUN,
): Promise<Discovery> {
  assertDate(date);
  const tenants = await tenantsUnder(store, PREFIX.raw);
  const byTenant = new Map<string, Set<string>>();
  await eachWide(tenants, width, async (tenantId) => {
    const dates = await datesUnder(store, PREFIX.raw, tenantId, date);
    if (dates.length > 0) byTenant.set(tenantId, new Set(dates));
  });
  const legacyTenants = await tenantsUnder(store, PREFIX.parquetV1);
  const legacy: { tenantId: string; dt: string }[] = [];
  await eachWide(legacyTenants, width, async (tenantId) => {
    for (const dt of await datesUnder(store, PREFIX.parquetV1, tenantId, date)) legacy.push({ tenantId, dt });
  });
  legacy.sort((a, b) => a.dt.localeCompare(b.dt) || a.tenantId.localeCompare(b.tenantId));
  let budget = legacyDaysPerRun;
  for (const { tenantId, dt } of legacy) {
    if (budget <= 0) break;
    const dates = byTenant.get(tenantId) ?? new Set<string>();
    if (!dates.has(dt)) budget--;
    dates.add(dt);
    byTenant.set(tenantId, dates);
  }
  const items: TenantTargets[] = [...byTenant].map(([tenantId, dates]) => ({
    tenantId,
    dates: [...dates].sort(),
  }));
  items.sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  return {
    items,
    targets: items.reduce((n, i) => n + i.dates.length, 0),
    listCalls: 2 + tenants.length + legacyTenants.length,
    legacyDays: legacy.length,
  };
}

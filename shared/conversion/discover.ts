/**
 * Which tenant-days are pending: every (tenant, dt) with at least one object under raw/ (raw/
 * holds only unconverted data, docs/architecture.md), dt on or before the run's date. Late
 * arrivals for old days are found the same way. Cost: one LIST for raw/ plus one per tenant
 * (S3 LIST $0.005 per 1,000), against Athena's 10 MB minimum per query (docs/nightly.md).
 */
import { assertDate, PREFIX } from '../domain/layout.js';
import { DATE_PATTERN, TENANT_PATTERN } from '../domain/limits.js';
import type { ObjectStore } from '../ports/object-store.js';

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
): Promise<Discovery> {
  assertDate(date);
  const tenants: string[] = [];
  for (const tenantPrefix of await store.listPrefixes(PREFIX.raw)) {
    const tenantId = folderValue(tenantPrefix, 'tenant_id');
    if (tenantId !== null && TENANT_PATTERN.test(tenantId)) tenants.push(tenantId);
  }
  const items: TenantTargets[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tenants.length) {
      const tenantId = tenants[next++] as string;
      const dates: string[] = [];
      for (const datePrefix of await store.listPrefixes(`${PREFIX.raw}tenant_id=${tenantId}/`)) {
        const dt = folderValue(datePrefix, 'dt');
        if (dt !== null && DATE_PATTERN.test(dt) && dt <= date) dates.push(dt);
      }
      if (dates.length > 0) items.push({ tenantId, dates: dates.sort() });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, tenants.length)) }, worker));
  items.sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  return { items, targets: items.reduce((n, i) => n + i.dates.length, 0), listCalls: 1 + tenants.length };
}

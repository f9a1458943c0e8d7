/**
 * Which tenant-days are pending: every (tenant, dt) with at least one object under raw/ (raw/
 * holds only unconverted data, docs/architecture.md), dt on or before the run's date. Late
 * arrivals for old days are found the same way. Cost: one LIST for raw/ plus one per tenant
 * (S3 LIST $0.005 per 1,000), against Athena's 10 MB minimum per query (docs/nightly.md).
 *
 * Layout migration: days that still hold files of the previous layout (parquet/, text ts) are
 * targets too, at most `legacyDaysPerRun` a run, oldest first, so a deployed lake is rewritten
 * into parquet-v2/ over a few nights (one more LIST for parquet/, one per tenant found there).
 *
 * Intraday runs (docs/nightly.md "Intraday runs"): only the hot days (the run's date and the day
 * before), only those whose pending raw/ bytes reach `minRawBytes`, and no layout migration: older
 * late arrivals wait for the night. The sizes come from one flat listing of raw/ (1,000 keys a
 * LIST, counted in listCalls): once intraday runs go on raw/ holds about an hour of data, a few
 * hundred LISTs for 20,000 tenants where a listing per tenant would take 20,000.
 *
 * Overlap backstop (nightly runs only): a hot day whose Parquet holds files of more than one run
 * (two conversions at once whose merge did not happen: convert.ts step 7) is a target even with
 * nothing in raw/; its conversion rewrites it into one run's files. One LIST for parquet-v2/, two
 * per tenant found there (docs/nightly.md "Intraday runs", "Overlap").
 */
import { assertDate, PREFIX, partitionPrefix } from '../domain/layout.js';
import { DATE_PATTERN, TENANT_PATTERN } from '../domain/limits.js';
import type { ObjectStore } from '../ports/object-store.js';
import { runsOf } from './convert.js';

export const DEFAULT_LEGACY_DAYS_PER_RUN = 50;

/** The run modes of the workflow: `nightly` (every pending day, migration, retention, compaction) or `intraday`. */
export const RUN_MODES = ['nightly', 'intraday'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export interface DiscoverOptions {
  /** Tenant listings in flight at once (S3 LIST takes tens of ms; 10,000 tenants in series would take minutes). */
  width?: number;
  /** Days of the previous layout added as targets per run (a bounded nightly migration). */
  legacyDaysPerRun?: number;
  /** `intraday`: the hot days only, over `minRawBytes`, no migration. Default `nightly`. */
  mode?: RunMode;
  /** Intraday: a hot day is a target when its raw/ objects hold at least this many bytes. */
  minRawBytes?: number;
}

/** The day before `date` (YYYY-MM-DD, UTC). */
export function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

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

/** S3 answers a LIST with at most 1,000 keys. */
const KEYS_PER_LIST = 1000;

/** Bytes in raw/ per tenant and hot day, from one listing of every raw object. */
async function hotRawBytes(
  store: ObjectStore,
  hot: ReadonlySet<string>,
): Promise<{ bytes: Map<string, Map<string, number>>; listCalls: number }> {
  const bytes = new Map<string, Map<string, number>>();
  let objects = 0;
  for await (const object of store.list(PREFIX.raw)) {
    objects++;
    const [tenantFolder, dayFolder] = object.key.slice(PREFIX.raw.length).split('/');
    const tenantId = folderValue(tenantFolder ?? '', 'tenant_id');
    const dt = folderValue(dayFolder ?? '', 'dt');
    if (tenantId === null || dt === null || !TENANT_PATTERN.test(tenantId) || !hot.has(dt)) continue;
    const byDay = bytes.get(tenantId) ?? new Map<string, number>();
    byDay.set(dt, (byDay.get(dt) ?? 0) + object.size);
    bytes.set(tenantId, byDay);
  }
  return { bytes, listCalls: Math.max(1, Math.ceil(objects / KEYS_PER_LIST)) };
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
  options: DiscoverOptions = {},
): Promise<Discovery> {
  assertDate(date);
  const width = options.width ?? 16;
  const intraday = options.mode === 'intraday';
  const hot = new Set([dayBefore(date), date]);
  const minRawBytes = options.minRawBytes ?? 0;
  const byTenant = new Map<string, Set<string>>();
  let tenants: string[] = [];
  let listCalls = 0;
  if (intraday) {
    // One flat listing of raw/ (1,000 keys a LIST): raw/ holds about an hour of data once intraday
    // runs go on, so this is a few LISTs where a listing per tenant would be one per tenant.
    const sizes = await hotRawBytes(store, hot);
    listCalls += sizes.listCalls;
    for (const [tenantId, byDay] of sizes.bytes) {
      const dates = [...byDay].filter(([, bytes]) => bytes > 0 && bytes >= minRawBytes).map(([dt]) => dt);
      if (dates.length > 0) byTenant.set(tenantId, new Set(dates));
    }
  } else {
    tenants = await tenantsUnder(store, PREFIX.raw);
    listCalls += 1 + tenants.length;
    await eachWide(tenants, width, async (tenantId) => {
      const dates = await datesUnder(store, PREFIX.raw, tenantId, date);
      if (dates.length > 0) byTenant.set(tenantId, new Set(dates));
    });
  }
  // The night's backstop for overlapping conversions: hot days with two runs' files.
  const parquetTenants = intraday ? [] : await tenantsUnder(store, PREFIX.parquet);
  await eachWide(parquetTenants, width, async (tenantId) => {
    for (const dt of hot) {
      const keys: string[] = [];
      for await (const o of store.list(partitionPrefix('parquet', tenantId, dt)))
        if (o.key.endsWith('.parquet')) keys.push(o.key);
      if (runsOf(keys).size < 2) continue;
      const dates = byTenant.get(tenantId) ?? new Set<string>();
      dates.add(dt);
      byTenant.set(tenantId, dates);
    }
  });
  // Intraday runs leave the layout migration to the night (no LIST of parquet/ either).
  const legacyTenants = intraday ? [] : await tenantsUnder(store, PREFIX.parquetV1);
  const legacy: { tenantId: string; dt: string }[] = [];
  await eachWide(legacyTenants, width, async (tenantId) => {
    for (const dt of await datesUnder(store, PREFIX.parquetV1, tenantId, date)) legacy.push({ tenantId, dt });
  });
  legacy.sort((a, b) => a.dt.localeCompare(b.dt) || a.tenantId.localeCompare(b.tenantId));
  let budget = options.legacyDaysPerRun ?? DEFAULT_LEGACY_DAYS_PER_RUN;
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
    listCalls: listCalls + (intraday ? 0 : 2 + legacyTenants.length + parquetTenants.length * hot.size),
    legacyDays: legacy.length,
  };
}

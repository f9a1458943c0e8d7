/**
 * Sums usage per tenant and day: the meter's entries under usage/ (each id counted once) plus
 * the bytes stored now, from listing the lake: raw (raw/ and archive/raw/, gzip JSON) and
 * Parquet, by partition day. Works over any ObjectStore (local files, S3).
 */
import { PREFIX } from '../domain/layout.js';
import { DATE_PATTERN, TENANT_PATTERN } from '../domain/limits.js';
import { InvalidRequestError } from '../errors.js';
import type { ObjectStore } from '../ports/object-store.js';
import { usageDayPrefix } from './lake-usage-meter.js';
import { USAGE_COUNTERS, type UsageCounters, zeroCounters } from './meter.js';

export interface UsageRow extends UsageCounters {
  tenantId: string;
  day: string;
  /** Gzip JSON bytes in raw/ and archive/raw/ for this partition day. */
  rawBytes: number;
  /** Parquet bytes for this partition day. */
  parquetBytes: number;
}

export interface UsageQuery {
  tenantId?: string;
  /** Inclusive UTC days. */
  from: string;
  to: string;
}

export const MAX_USAGE_DAYS = 366;

/** Checks a query from a request or the command line (400 invalid_request when wrong). */
export function parseUsageQuery(
  input: { tenant?: string | undefined; from?: string | undefined; to?: string | undefined },
  today: Date,
): UsageQuery {
  const to = input.to ?? today.toISOString().slice(0, 10);
  const from =
    input.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!DATE_PATTERN.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
      throw new InvalidRequestError(`${name} must be a YYYY-MM-DD date`);
  }
  if (from > to) throw new InvalidRequestError('from must not be after to');
  if (days(from, to).length > MAX_USAGE_DAYS)
    throw new InvalidRequestError(`a usage range covers at most ${MAX_USAGE_DAYS} days`);
  if (input.tenant !== undefined && !TENANT_PATTERN.test(input.tenant))
    throw new InvalidRequestError('tenant is not a tenant id');
  return { ...(input.tenant === undefined ? {} : { tenantId: input.tenant }), from, to };
}

export function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export async function readUsage(store: ObjectStore, query: UsageQuery): Promise<UsageRow[]> {
  const rows = new Map<string, UsageRow>();
  const row = (tenantId: string, day: string): UsageRow => {
    const key = `${tenantId}\u0000${day}`;
    let r = rows.get(key);
    if (r === undefined) {
      r = { tenantId, day, ...zeroCounters(), rawBytes: 0, parquetBytes: 0 };
      rows.set(key, r);
    }
    return r;
  };

  const seen = new Set<string>();
  for (const day of days(query.from, query.to)) {
    for await (const object of store.list(usageDayPrefix(day))) {
      const data = await store.get(object.key);
      if (data === null) continue; // deleted since the listing
      for (const line of Buffer.from(data).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        const { id, tenant_id: tenantId } = entry;
        if (typeof id !== 'string' || typeof tenantId !== 'string' || seen.has(id)) continue;
        if (query.tenantId !== undefined && tenantId !== query.tenantId) continue;
        seen.add(id);
        const r = row(tenantId, day);
        for (const c of USAGE_COUNTERS) {
          const value = entry[c];
          if (typeof value === 'number' && Number.isFinite(value)) r[c] += value;
        }
      }
    }
  }

  const areas: Array<[string, 'rawBytes' | 'parquetBytes']> = [
    [PREFIX.raw, 'rawBytes'],
    [PREFIX.archiveRaw, 'rawBytes'],
    [PREFIX.parquet, 'parquetBytes'],
  ];
  for (const [prefix, field] of areas) {
    const tenants =
      query.tenantId !== undefined
        ? [`${prefix}tenant_id=${query.tenantId}/`]
        : await store.listPrefixes(prefix);
    for (const tenantPrefix of tenants) {
      const tenantId = /tenant_id=([^/]+)\/$/.exec(tenantPrefix)?.[1];
      if (tenantId === undefined) continue;
      for (const dayPrefix of await store.listPrefixes(tenantPrefix)) {
        const day = /dt=(\d{4}-\d{2}-\d{2})\/$/.exec(dayPrefix)?.[1];
        if (day === undefined || day < query.from || day > query.to) continue;
        for await (const object of store.list(dayPrefix)) row(tenantId, day)[field] += object.size;
      }
    }
  }
  return [...rows.values()].sort((a, b) =>
    a.tenantId === b.tenantId ? a.day.localeCompare(b.day) : a.tenantId.localeCompare(b.tenantId),
  );
}
